/// A terminal's size in character cells.
public struct TerminalSize: Hashable, Sendable, CustomStringConvertible {
    public var columns: Int
    public var rows: Int

    public init(columns: Int, rows: Int) {
        self.columns = max(0, columns)
        self.rows = max(0, rows)
    }

    public var description: String { "\(columns)×\(rows)" }
}

/// A rectangle of cells; `column`/`row` is the top-left corner.
public struct Rect: Hashable, Sendable {
    public var column: Int
    public var row: Int
    public var width: Int
    public var height: Int

    public init(column: Int, row: Int, width: Int, height: Int) {
        self.column = column
        self.row = row
        self.width = max(0, width)
        self.height = max(0, height)
    }

    public var isEmpty: Bool { width == 0 || height == 0 }
    public var maxColumn: Int { column + width }
    public var maxRow: Int { row + height }

    /// The rectangle shrunk by `amount` cells on every side.
    public func inset(by amount: Int) -> Rect {
        Rect(column: column + amount, row: row + amount, width: width - 2 * amount, height: height - 2 * amount)
    }

    /// A rectangle of at most `width`×`height` centred in this one.
    public func centred(width: Int, height: Int) -> Rect {
        let clampedWidth = min(width, self.width)
        let clampedHeight = min(height, self.height)
        return Rect(column: column + (self.width - clampedWidth) / 2, row: row + (self.height - clampedHeight) / 2,
                    width: clampedWidth, height: clampedHeight)
    }
}
