/// An in-memory grid of cells: what `render` produces and what a backend
/// (curses, or a test snapshot) shows.
public struct Screen: Hashable, Sendable {
    public let size: TerminalSize
    public private(set) var cells: [Cell]

    public init(size: TerminalSize) {
        self.size = size
        cells = Array(repeating: .blank, count: size.columns * size.rows)
    }

    public var bounds: Rect { Rect(column: 0, row: 0, width: size.columns, height: size.rows) }

    public subscript(row: Int, column: Int) -> Cell {
        cells[row * size.columns + column]
    }

    /// Sets one cell; positions outside the screen are ignored.
    public mutating func put(_ character: Unicode.Scalar, row: Int, column: Int, style: CellStyle) {
        guard row >= 0, row < size.rows, column >= 0, column < size.columns else { return }
        cells[row * size.columns + column] = Cell(character: character, style: style)
    }

    /// Writes `text` from (row, column), clipped to `width` cells and to
    /// the screen; returns the number of cells written.
    @discardableResult
    public mutating func write(_ text: String, row: Int, column: Int, width: Int? = nil, style: CellStyle) -> Int {
        guard row >= 0, row < size.rows else { return 0 }
        let end = min(column + (width ?? size.columns), size.columns)
        var position = column
        for scalar in DisplayText.scalars(of: text) {
            guard position < end else { break }
            put(scalar, row: row, column: position, style: style)
            position += 1
        }
        return max(0, position - max(column, 0))
    }

    /// Fills `rect` (clipped to the screen) with one character and style.
    public mutating func fill(_ rect: Rect, character: Unicode.Scalar = " ", style: CellStyle) {
        for row in max(0, rect.row)..<min(size.rows, rect.maxRow) {
            for column in max(0, rect.column)..<min(size.columns, rect.maxColumn) {
                cells[row * size.columns + column] = Cell(character: character, style: style)
            }
        }
    }

    /// Changes the style of the cells in `rect`, keeping their characters.
    public mutating func restyle(_ rect: Rect, _ change: (inout CellStyle) -> Void) {
        for row in max(0, rect.row)..<min(size.rows, rect.maxRow) {
            for column in max(0, rect.column)..<min(size.columns, rect.maxColumn) {
                change(&cells[row * size.columns + column].style)
            }
        }
    }

    /// The characters of each row.
    public var lines: [String] {
        (0..<size.rows).map { row in
            var line = String.UnicodeScalarView()
            line.append(contentsOf: cells[(row * size.columns)..<((row + 1) * size.columns)].map(\.character))
            return String(line)
        }
    }
}

/// Turns arbitrary text (file names, labels, error messages) into scalars
/// that each take exactly one terminal cell, so that layout arithmetic holds.
public enum DisplayText {
    public static func scalars(of text: String) -> [Unicode.Scalar] {
        text.unicodeScalars.compactMap { scalar in
            if isCombining(scalar) { return nil }
            if isControl(scalar) || isWide(scalar) { return "?" }
            return scalar
        }
    }

    /// Number of cells `text` takes.
    public static func width(of text: String) -> Int { scalars(of: text).count }

    /// `text` cut to `width` cells, ending in "…" when cut.
    public static func truncated(_ text: String, to width: Int) -> String {
        let scalars = scalars(of: text)
        guard scalars.count > width else { return String(String.UnicodeScalarView(scalars)) }
        guard width > 0 else { return "" }
        return String(String.UnicodeScalarView(scalars.prefix(width - 1))) + "…"
    }

    /// `text` cut to its last `width` cells, starting with "…" when cut.
    public static func truncatedLeading(_ text: String, to width: Int) -> String {
        let scalars = scalars(of: text)
        guard scalars.count > width else { return String(String.UnicodeScalarView(scalars)) }
        guard width > 0 else { return "" }
        return "…" + String(String.UnicodeScalarView(scalars.suffix(width - 1)))
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    private static func isCombining(_ scalar: Unicode.Scalar) -> Bool {
        (0x0300...0x036F).contains(scalar.value) || (0x200B...0x200F).contains(scalar.value)
            || (0xFE00...0xFE0F).contains(scalar.value)
    }

    /// East Asian wide and emoji ranges: two cells in a terminal.
    private static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        let wideRanges: [ClosedRange<UInt32>] = [
            0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F,
            0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1FAFF, 0x20000...0x3FFFD,
        ]
        return wideRanges.contains { $0.contains(scalar.value) }
    }
}
