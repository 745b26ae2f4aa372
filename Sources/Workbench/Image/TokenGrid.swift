/// The patch-token grid laid over a displayed image of `width`×`height` pixels.
public struct TokenGrid: Equatable, Sendable {
    public let rows: Int
    public let columns: Int
    public let width: Int
    public let height: Int

    public init(rows: Int, columns: Int, width: Int, height: Int) {
        self.rows = max(1, rows)
        self.columns = max(1, columns)
        self.width = max(1, width)
        self.height = max(1, height)
    }

    public var tokenCount: Int { rows * columns }

    /// The grid cell under pixel (x, y), clamped to the grid.
    public func token(x: Int, y: Int) -> TokenPosition {
        TokenPosition(row: min(rows - 1, max(0, y * rows / height)),
                      column: min(columns - 1, max(0, x * columns / width)))
    }

    /// The pixel span of a token row or column.
    public func pixelRows(ofRow row: Int) -> Range<Int> { (row * height / rows)..<((row + 1) * height / rows) }
    public func pixelColumns(ofColumn column: Int) -> Range<Int> {
        (column * width / columns)..<((column + 1) * width / columns)
    }

    /// Whether the pixel is on the first row or column of its token.
    public func isBoundary(x: Int, y: Int) -> Bool {
        let position = token(x: x, y: y)
        return pixelRows(ofRow: position.row).first == y || pixelColumns(ofColumn: position.column).first == x
    }

    /// Per-token values (row-major) resampled to every pixel with bilinear
    /// interpolation between token centres. Missing values read as 0.
    public func upsampled(_ values: [Float]) -> [Float] {
        func value(_ row: Int, _ column: Int) -> Float {
            let index = row * columns + column
            return index < values.count && values[index].isFinite ? values[index] : 0
        }
        var result = [Float]()
        result.reserveCapacity(width * height)
        for y in 0..<height {
            let tokenY = min(max((Float(y) + 0.5) * Float(rows) / Float(height) - 0.5, 0), Float(rows - 1))
            let row0 = Int(tokenY), row1 = min(row0 + 1, rows - 1), rowWeight = tokenY - Float(row0)
            for x in 0..<width {
                let tokenX = min(max((Float(x) + 0.5) * Float(columns) / Float(width) - 0.5, 0), Float(columns - 1))
                let column0 = Int(tokenX), column1 = min(column0 + 1, columns - 1), columnWeight = tokenX - Float(column0)
                let top = value(row0, column0) * (1 - columnWeight) + value(row0, column1) * columnWeight
                let bottom = value(row1, column0) * (1 - columnWeight) + value(row1, column1) * columnWeight
                result.append(top * (1 - rowWeight) + bottom * rowWeight)
            }
        }
        return result
    }
}

/// A token's place on the patch grid.
public struct TokenPosition: Hashable, Sendable {
    public var row: Int
    public var column: Int

    public init(row: Int, column: Int) {
        self.row = row
        self.column = column
    }

    /// Row-major token index on a grid with `columns` columns.
    public func index(columns: Int) -> Int { row * columns + column }
}
