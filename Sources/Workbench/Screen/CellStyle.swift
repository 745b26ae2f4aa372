/// A colour of the terminal's 256-colour palette, or the terminal's own
/// default colour.
///
/// Only indices 16–255 are produced (the 6×6×6 cube and the grey ramp):
/// the first 16 differ from terminal to terminal.
public struct PaletteColor: Hashable, Sendable {
    /// 16...255, or -1 for the terminal default (the curses convention).
    public let index: Int16

    public init(index: Int16) { self.index = index }

    public static let terminalDefault = PaletteColor(index: -1)
}

/// Text attributes; the raw values match the C shim's GLIMPSE_ATTRIBUTE_* bits.
public struct CellAttributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let bold = CellAttributes(rawValue: 1)
    public static let reverse = CellAttributes(rawValue: 2)
    public static let underline = CellAttributes(rawValue: 4)
    public static let dim = CellAttributes(rawValue: 8)
}

public struct CellStyle: Hashable, Sendable {
    public var foreground: PaletteColor
    public var background: PaletteColor
    public var attributes: CellAttributes

    public init(foreground: PaletteColor = .terminalDefault, background: PaletteColor = .terminalDefault,
                attributes: CellAttributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    public static let plain = CellStyle()

    public func adding(_ extra: CellAttributes) -> CellStyle {
        var copy = self
        copy.attributes.formUnion(extra)
        return copy
    }
}

/// One character cell: a single-width Unicode scalar and its style.
public struct Cell: Hashable, Sendable {
    public var character: Unicode.Scalar
    public var style: CellStyle

    public init(character: Unicode.Scalar, style: CellStyle) {
        self.character = character
        self.style = style
    }

    public static let blank = Cell(character: " ", style: .plain)
}
