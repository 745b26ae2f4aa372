/// One key as the workbench sees it, independent of the terminal library.
public enum KeyPress: Hashable, Sendable {
    /// A printable character.
    case character(Character)
    /// Ctrl with a letter, given in lower case.
    case control(Character)
    case up, down, left, right
    case enter, escape, backspace, delete, tab, backTab
    case home, end, pageUp, pageDown

    /// How the key is written in help and documentation.
    public var label: String {
        switch self {
        case .character(" "): "Space"
        case .character(let character): String(character)
        case .control(let letter): "Ctrl-" + letter.uppercased()
        case .up: "Up"
        case .down: "Down"
        case .left: "Left"
        case .right: "Right"
        case .enter: "Enter"
        case .escape: "Esc"
        case .backspace: "Backspace"
        case .delete: "Delete"
        case .tab: "Tab"
        case .backTab: "Shift-Tab"
        case .home: "Home"
        case .end: "End"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        }
    }

    /// The key a terminal sends as this Unicode scalar (control characters
    /// included); nil for scalars that are not keys.
    public static func decoding(_ scalar: Unicode.Scalar) -> KeyPress? {
        switch scalar.value {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .control(Character(Unicode.Scalar(scalar.value + 96)!))
        case 0..<32: return nil
        default: return .character(Character(scalar))
        }
    }
}
