/// The command palette and the file browser: a framed, scrolling list.
enum ListOverlays {
    static func drawPalette(_ palette: PaletteState, state: WorkbenchState, theme: Theme, into screen: inout Screen) {
        let width = min(screen.size.columns - 8, 72)
        let area = Rect(column: (screen.size.columns - width) / 2, row: 2, width: width,
                        height: min(screen.size.rows - 5, 18))
        let inside = screen.drawPanel(area, title: "Commands", theme: theme)
        let matches = state.rankedPaletteItems(query: palette.query)
        let count = "\(matches.count)/\(state.paletteItems.count)"
        screen.write(StyledLine("> ", theme.highlight).appending(palette.query + (theme.usesColour ? "█" : "_"), theme.text),
                     row: inside.row, column: inside.column, width: inside.width - count.count - 1)
        screen.write(count, row: inside.row, column: inside.maxColumn - count.count, style: theme.muted)
        let lines = matches.map { match in
            highlighted(match.item.title, positions: Set(match.match.positions), theme: theme)
        }
        drawList(lines, selection: palette.selection, in: listArea(inside, top: 1), theme: theme, into: &screen)
    }

    static func drawBrowser(_ browser: BrowserState, theme: Theme, into screen: inout Screen) {
        let area = screen.bounds.centred(width: min(screen.size.columns - 8, 72), height: screen.size.rows - 4)
        let inside = screen.drawPanel(area, title: DirectoryDisplay.title(browser.directory, width: area.width - 6),
                                      theme: theme)
        let list = listArea(inside, top: 0)
        if browser.isLoading {
            screen.write("reading…", row: list.row, column: list.column, style: theme.muted)
        } else if let error = browser.error {
            screen.write(error, row: list.row, column: list.column, width: list.width, style: theme.error)
        } else if browser.entries.isEmpty {
            screen.write("no folders or images here", row: list.row, column: list.column, style: theme.muted)
        } else {
            let lines = browser.entries.map { entry in
                entry.isDirectory ? StyledLine(entry.name + "/", theme.heading) : StyledLine(entry.name, theme.text)
            }
            drawList(lines, selection: browser.selection, in: list, theme: theme, into: &screen)
        }
    }

    private static func listArea(_ inside: Rect, top: Int) -> Rect {
        Rect(column: inside.column, row: inside.row + top, width: inside.width, height: inside.height - top)
    }

    /// Draws the lines that fit, scrolled so the selection shows, the selected one in the selection style.
    private static func drawList(_ lines: [StyledLine], selection: Int, in area: Rect, theme: Theme,
                                 into screen: inout Screen) {
        guard area.height > 0 else { return }
        let first = max(0, selection - area.height + 1)
        for (offset, line) in lines.dropFirst(first).prefix(area.height).enumerated() {
            let row = area.row + offset
            screen.write(line, row: row, column: area.column + 1, width: area.width - 1)
            if first + offset == selection {
                screen.restyle(Rect(column: area.column, row: row, width: area.width, height: 1)) { style in
                    style.foreground = theme.selection.foreground
                    style.background = theme.selection.background
                    style.attributes.formUnion(theme.selection.attributes)
                }
            }
        }
    }

    /// A title with the fuzzy-matched characters emphasised.
    private static func highlighted(_ title: String, positions: Set<Int>, theme: Theme) -> StyledLine {
        var line = StyledLine()
        for (offset, character) in title.enumerated() {
            line.append(String(character), positions.contains(offset) ? theme.highlight.adding(.underline) : theme.text)
        }
        return line
    }
}

enum DirectoryDisplay {
    /// "Open image: <folder>", the folder shortened from the left to fit.
    static func title(_ directory: String, width: Int) -> String {
        let prefix = "Open image: "
        return prefix + DisplayText.truncatedLeading(directory, to: max(1, width - prefix.count))
    }
}
