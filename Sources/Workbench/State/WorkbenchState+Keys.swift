extension WorkbenchState {
    /// A key goes to the open overlay, else to the workbench keymap.
    mutating func handleKey(_ key: KeyPress) -> [WorkbenchEffect] {
        let action = Keymap.action(for: key, in: keyMode)
        switch overlay {
        case nil:
            status = nil
            return action.map { perform($0) } ?? []
        case .help(let scroll):
            handleHelp(action, scroll: scroll)
            return []
        case .palette(let palette):
            return handlePalette(action, key: key, palette)
        case .browser(let browser):
            return handleBrowser(action, browser)
        case .prompt(let prompt):
            return handlePrompt(action, key: key, prompt)
        }
    }

    private mutating func handleHelp(_ action: KeyAction?, scroll: Int) {
        let lastLine = max(0, HelpContent.lines.count - 1)
        switch action {
        case .close: overlay = nil
        case .selectPrevious: overlay = .help(scroll: max(0, scroll - 1))
        case .selectNext: overlay = .help(scroll: min(lastLine, scroll + 1))
        default: break
        }
    }

    private mutating func handlePalette(_ action: KeyAction?, key: KeyPress, _ palette: PaletteState) -> [WorkbenchEffect] {
        var palette = palette
        let matches = rankedPaletteItems(query: palette.query)
        switch action {
        case .close:
            overlay = nil
            return []
        case .confirm:
            overlay = nil
            guard matches.indices.contains(palette.selection) else { return [] }
            return execute(matches[palette.selection].item.command)
        case .selectPrevious: palette.selection = max(0, palette.selection - 1)
        case .selectNext: palette.selection = max(0, min(matches.count - 1, palette.selection + 1))
        default:
            guard Self.edit(&palette.query, action: action, key: key) else { return [] }
            palette.selection = 0
        }
        overlay = .palette(palette)
        return []
    }

    private mutating func handleBrowser(_ action: KeyAction?, _ browser: BrowserState) -> [WorkbenchEffect] {
        var browser = browser
        switch action {
        case .close:
            overlay = nil
            return []
        case .selectPrevious: browser.selection = max(0, browser.selection - 1)
        case .selectNext: browser.selection = max(0, min(browser.entries.count - 1, browser.selection + 1))
        case .parentDirectory:
            return browse(DirectoryListing.parent(of: browser.directory))
        case .confirm:
            guard browser.entries.indices.contains(browser.selection) else { return [] }
            let entry = browser.entries[browser.selection]
            let path = DirectoryListing.join(browser.directory, entry.name)
            if entry.isDirectory { return browse(path) }
            overlay = nil
            return [enqueue(.loadImage(path: path))]
        default: return []
        }
        overlay = .browser(browser)
        return []
    }

    private mutating func browse(_ directory: String) -> [WorkbenchEffect] {
        overlay = .browser(BrowserState(directory: directory))
        return [.listDirectory(directory)]
    }

    private mutating func handlePrompt(_ action: KeyAction?, key: KeyPress, _ prompt: PromptState) -> [WorkbenchEffect] {
        var prompt = prompt
        switch action {
        case .close:
            overlay = nil
            return []
        case .confirm:
            let labels = model?.classLabels ?? []
            switch prompt.kind.command(from: prompt.text, workingDirectory: workingDirectory, labels: labels) {
            case .success(let command):
                overlay = nil
                return execute(command)
            case .failure(let error):
                prompt.error = error.description
            }
        default:
            guard Self.edit(&prompt.text, action: action, key: key) else { return [] }
            prompt.error = nil
        }
        overlay = .prompt(prompt)
        return []
    }

    /// Line editing shared by the palette filter and the prompt; false
    /// when the key does not edit.
    private static func edit(_ text: inout String, action: KeyAction?, key: KeyPress) -> Bool {
        switch (action, key) {
        case (.deleteBackward, _):
            if !text.isEmpty { text.removeLast() }
        case (.clearInput, _):
            text = ""
        case (nil, .character(let character)):
            text.append(character)
        default:
            return false
        }
        return true
    }
}
