import Foundation

/// The help text, generated from the keymap.
public enum HelpContent {
    public enum Line: Equatable, Sendable {
        case heading(String)
        case binding(keys: String, description: String)
        case blank
    }

    public static let lines: [Line] = KeyMode.allCases.flatMap { mode -> [Line] in
        [.heading(mode.title)]
            + Keymap.bindings(in: mode).map { .binding(keys: $0.keys.map(\.label).joined(separator: " "),
                                                       description: $0.description) }
            + [.blank]
    }.dropLast()

    /// Width of the keys column.
    static let keysWidth: Int = lines.map { line in
        if case .binding(let keys, _) = line { return DisplayText.width(of: keys) }
        return 0
    }.max() ?? 0
}

enum HelpOverlay {
    static func draw(scroll: Int, theme: Theme, into screen: inout Screen) {
        let area = screen.bounds.centred(width: 78, height: screen.size.rows - 4)
        let inside = screen.drawPanel(area, title: "Help (Esc closes, Up/Down scroll)", theme: theme)
        let lines = HelpContent.lines.dropFirst(scroll).map { line -> StyledLine in
            switch line {
            case .heading(let title): StyledLine(title, theme.heading)
            case .binding(let keys, let description):
                StyledLine(" " + keys.padding(toLength: HelpContent.keysWidth + 2, withPad: " ", startingAt: 0),
                           theme.highlight).appending(description, theme.text)
            case .blank: StyledLine()
            }
        }
        screen.write(Array(lines), in: inside)
    }
}

extension StyledLine {
    public func appending(_ text: String, _ style: CellStyle) -> StyledLine {
        var copy = self
        copy.append(text, style)
        return copy
    }
}
