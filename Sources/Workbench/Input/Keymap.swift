/// Which key table applies: the workbench itself, or an open overlay.
public enum KeyMode: String, CaseIterable, Sendable {
    case workbench, help, palette, browser, prompt

    public var title: String {
        switch self {
        case .workbench: "Workbench"
        case .help: "Help"
        case .palette: "Command palette"
        case .browser: "File browser"
        case .prompt: "Prompt"
        }
    }
}

/// Everything a key can ask for.
public enum KeyAction: Hashable, Sendable {
    case increaseBudget, decreaseBudget, toggleBudgetMode, cyclePolicy, cycleTargetClass
    case moveUp, moveDown, moveLeft, moveRight
    case nextView, previousView, showView(ViewKind)
    case increaseOpacity, decreaseOpacity, toggleGrid, togglePlot
    case openBrowser, showHelp, openPalette, redraw, quit
    case close, selectPrevious, selectNext, confirm, parentDirectory, deleteBackward, clearInput
}

/// One row of the keymap: the single source of the help overlay, the
/// command palette's action entries and the README key list.
public struct KeyBinding: Sendable {
    public let mode: KeyMode
    public let action: KeyAction
    public let keys: [KeyPress]
    public let description: String
    /// Title in the command palette; nil for actions the palette does not offer.
    public let paletteTitle: String?
    /// A word or two for the key hints of the status line and overlay footers.
    public let hint: String?
}

public enum Keymap {
    public static let bindings: [KeyBinding] = workbenchBindings + overlayBindings

    private static let workbenchBindings: [KeyBinding] = [
        bind(.workbench, .increaseBudget, ["+", "="], "Keep rate +5% (threshold +0.05 in threshold mode)",
             palette: "Raise keep rate / threshold"),
        bind(.workbench, .decreaseBudget, ["-"], "Keep rate −5% (threshold −0.05 in threshold mode)",
             palette: "Lower keep rate / threshold"),
        bind(.workbench, .toggleBudgetMode, ["t"], "Switch between keep rate and score threshold",
             palette: "Toggle keep rate / threshold mode"),
        bind(.workbench, .cyclePolicy, ["p"], "Cycle the pruning policy", palette: "Cycle pruning policy",
             hint: "policy"),
        bind(.workbench, .cycleTargetClass, ["c"], "Cycle the Grad-CAM target through the top-5, then automatic",
             palette: "Cycle target class"),
        bind(.workbench, .moveUp, [.up, "k"], "Move the token cursor up"),
        bind(.workbench, .moveDown, [.down, "j"], "Move the token cursor down"),
        bind(.workbench, .moveLeft, [.left, "h"], "Move the token cursor left"),
        bind(.workbench, .moveRight, [.right, "l"], "Move the token cursor right"),
        bind(.workbench, .nextView, [.tab], "Next view", palette: "Next view"),
        bind(.workbench, .previousView, [.backTab], "Previous view", palette: "Previous view"),
    ] + ViewKind.allCases.map { view in
        bind(.workbench, .showView(view), [.character(Character(String(view.number)))],
             "Show the \(view.title) view", palette: "View: \(view.title)")
    } + [
        bind(.workbench, .decreaseOpacity, ["["], "Heatmap opacity −10%", palette: "Lower heatmap opacity"),
        bind(.workbench, .increaseOpacity, ["]"], "Heatmap opacity +10%", palette: "Raise heatmap opacity"),
        bind(.workbench, .toggleGrid, ["g"], "Show or hide the token grid", palette: "Toggle token grid"),
        bind(.workbench, .togglePlot, ["s"], "Show or hide the sweep plot", palette: "Toggle sweep plot"),
        bind(.workbench, .openBrowser, ["o"], "Open an image with the file browser", palette: "Browse for an image",
             hint: "open"),
        bind(.workbench, .showHelp, ["?"], "Show this help", palette: "Help", hint: "help"),
        bind(.workbench, .openPalette, [":", .control("p")], "Open the command palette", hint: "commands"),
        bind(.workbench, .redraw, [.control("l")], "Redraw the screen", palette: "Redraw"),
        bind(.workbench, .quit, ["q"], "Quit", palette: "Quit", hint: "quit"),
    ]

    private static let overlayBindings: [KeyBinding] = [
        bind(.help, .selectPrevious, [.up, "k"], "Scroll up"),
        bind(.help, .selectNext, [.down, "j"], "Scroll down"),
        bind(.help, .close, [.escape, "?"], "Close the help", hint: "close"),
        bind(.palette, .selectPrevious, [.up, .control("p")], "Previous command"),
        bind(.palette, .selectNext, [.down, .control("n")], "Next command"),
        bind(.palette, .confirm, [.enter], "Run the selected command", hint: "run"),
        bind(.palette, .deleteBackward, [.backspace], "Delete the last character of the filter"),
        bind(.palette, .clearInput, [.control("u")], "Clear the filter"),
        bind(.palette, .close, [.escape], "Close the palette", hint: "close"),
        bind(.browser, .selectPrevious, [.up, "k"], "Previous entry"),
        bind(.browser, .selectNext, [.down, "j"], "Next entry"),
        bind(.browser, .confirm, [.enter], "Open the folder or image", hint: "open"),
        bind(.browser, .parentDirectory, [.backspace], "Go to the parent folder", hint: "up"),
        bind(.browser, .close, [.escape], "Close the browser", hint: "close"),
        bind(.prompt, .confirm, [.enter], "Accept", hint: "accept"),
        bind(.prompt, .deleteBackward, [.backspace], "Delete the last character"),
        bind(.prompt, .clearInput, [.control("u")], "Clear the line"),
        bind(.prompt, .close, [.escape], "Cancel", hint: "cancel"),
    ]

    private static func bind(_ mode: KeyMode, _ action: KeyAction, _ keys: [KeyPress], _ description: String,
                             palette: String? = nil, hint: String? = nil) -> KeyBinding {
        KeyBinding(mode: mode, action: action, keys: keys, description: description, paletteTitle: palette, hint: hint)
    }

    private static let lookup: [KeyMode: [KeyPress: KeyAction]] = {
        var table = [KeyMode: [KeyPress: KeyAction]]()
        for binding in bindings {
            for key in binding.keys { table[binding.mode, default: [:]][key] = binding.action }
        }
        return table
    }()

    /// The action `key` triggers in `mode`, if any.
    public static func action(for key: KeyPress, in mode: KeyMode) -> KeyAction? {
        lookup[mode]?[key]
    }

    public static func bindings(in mode: KeyMode) -> [KeyBinding] {
        bindings.filter { $0.mode == mode }
    }

    /// "key word" pairs for the bindings of `mode` that have a hint.
    public static func hints(in mode: KeyMode) -> String {
        bindings(in: mode).compactMap { binding in
            binding.hint.map { "\(binding.keys[0].label) \($0)" }
        }.joined(separator: "  ")
    }

    /// The key list as Markdown, one table per mode, for the README.
    public static func markdown() -> String {
        KeyMode.allCases.map { mode in
            let rows = bindings(in: mode).map { binding in
                "| " + binding.keys.map { "`\($0.label)`" }.joined(separator: ", ") + " | \(binding.description) |"
            }
            return (["### \(mode.title)", "", "| Keys | Action |", "| --- | --- |"] + rows).joined(separator: "\n")
        }.joined(separator: "\n\n") + "\n"
    }
}

extension KeyPress: ExpressibleByStringLiteral {
    /// A one-character literal is that printable key.
    public init(stringLiteral value: String) {
        self = .character(Character(value))
    }
}
