/// A line of text made of differently styled runs.
public struct StyledLine: Sendable {
    public private(set) var runs: [(text: String, style: CellStyle)] = []

    public init() {}

    public init(_ text: String, _ style: CellStyle) {
        runs = [(text, style)]
    }

    public mutating func append(_ text: String, _ style: CellStyle) {
        runs.append((text, style))
    }

    public var width: Int { runs.reduce(0) { $0 + DisplayText.width(of: $1.text) } }
}

extension Screen {
    /// Writes a styled line, clipped to `width` cells.
    public mutating func write(_ line: StyledLine, row: Int, column: Int, width: Int) {
        var used = 0
        for run in line.runs where used < width {
            used += write(run.text, row: row, column: column + used, width: width - used, style: run.style)
        }
    }

    /// Writes lines top to bottom inside `rect`, dropping what does not fit.
    public mutating func write(_ lines: [StyledLine], in rect: Rect) {
        for (offset, line) in lines.prefix(rect.height).enumerated() {
            write(line, row: rect.row + offset, column: rect.column, width: rect.width)
        }
    }

    /// A frame around `rect` with an optional title in the top edge.
    public mutating func drawBox(_ rect: Rect, title: String?, theme: Theme, titleStyle: CellStyle? = nil) {
        guard rect.width >= 2, rect.height >= 2 else { return }
        let glyphs = theme.glyphs
        fill(Rect(column: rect.column + 1, row: rect.row, width: rect.width - 2, height: 1),
             character: glyphs.horizontal, style: theme.border)
        fill(Rect(column: rect.column + 1, row: rect.maxRow - 1, width: rect.width - 2, height: 1),
             character: glyphs.horizontal, style: theme.border)
        fill(Rect(column: rect.column, row: rect.row + 1, width: 1, height: rect.height - 2),
             character: glyphs.vertical, style: theme.border)
        fill(Rect(column: rect.maxColumn - 1, row: rect.row + 1, width: 1, height: rect.height - 2),
             character: glyphs.vertical, style: theme.border)
        put(glyphs.corners.topLeft, row: rect.row, column: rect.column, style: theme.border)
        put(glyphs.corners.topRight, row: rect.row, column: rect.maxColumn - 1, style: theme.border)
        put(glyphs.corners.bottomLeft, row: rect.maxRow - 1, column: rect.column, style: theme.border)
        put(glyphs.corners.bottomRight, row: rect.maxRow - 1, column: rect.maxColumn - 1, style: theme.border)
        if let title, rect.width > 4 {
            write(" " + DisplayText.truncated(title, to: rect.width - 6) + " ", row: rect.row, column: rect.column + 2,
                  width: rect.width - 4, style: titleStyle ?? theme.heading)
        }
    }

    /// A framed, cleared panel; returns the inside.
    @discardableResult
    public mutating func drawPanel(_ rect: Rect, title: String?, theme: Theme) -> Rect {
        fill(rect, style: theme.text)
        drawBox(rect, title: title, theme: theme)
        return rect.inset(by: 1)
    }
}

extension Theme {
    /// A bar `width` cells wide filled to `fraction`, using partial cells when the glyphs have them.
    public func barText(_ fraction: Double, width: Int) -> String {
        let steps = glyphs.barSteps.count - 1
        let clamped = fraction.isFinite ? min(max(fraction, 0), 1) : 0
        let filled = Int((clamped * Double(width * steps)).rounded())
        var scalars = String.UnicodeScalarView()
        for cell in 0..<width {
            scalars.append(glyphs.barSteps[min(steps, max(0, filled - cell * steps))])
        }
        return String(scalars)
    }
}
