import Foundation
import Methods

/// A line plot of sweep accuracy against keep rate, one series per policy,
/// with the dense accuracy as a dashed line.
enum PlotPanel {
    static func draw(_ sweep: SweepResult, source: String, in rect: Rect, theme: Theme, into screen: inout Screen) {
        let title = "Sweep \(theme.glyphs.separator) \((source as NSString).lastPathComponent) "
            + "\(theme.glyphs.separator) \(sweep.images) images \(theme.glyphs.separator) "
            + String(format: "dense %.1f%%", sweep.denseAccuracy * 100)
        let inside = screen.drawPanel(rect, title: title, theme: theme)
        let labelWidth = 6
        let plot = Rect(column: inside.column + labelWidth, row: inside.row,
                        width: inside.width - labelWidth - 1, height: inside.height - 2)
        guard plot.width >= 8, plot.height >= 2 else { return }
        let scale = AccuracyScale(values: sweep.rows.map(\.accuracy) + [sweep.denseAccuracy])
        drawAxes(plot, scale: scale, theme: theme, into: &screen)
        func row(_ accuracy: Double) -> Int { plot.row + scale.offset(accuracy, rows: plot.height) }
        func column(_ keep: Double) -> Int { plot.column + Int((min(max(keep, 0), 1) * Double(plot.width - 1)).rounded()) }
        screen.fill(Rect(column: plot.column, row: row(sweep.denseAccuracy), width: plot.width, height: 1),
                    character: theme.glyphs.dashedLine, style: theme.muted)
        var legend = StyledLine("dense ", theme.muted).appending(String(theme.glyphs.dashedLine), theme.muted)
        for (index, policy) in PruningPolicy.allCases.enumerated() {
            let points = sweep.rows.filter { $0.policy == policy }.sorted { $0.keep < $1.keep }
            guard !points.isEmpty else { continue }
            let style = theme.seriesStyle(index)
            let marker = Unicode.Scalar(String(policy.rawValue.prefix(1)))!
            for (start, end) in zip(points, points.dropFirst()) {
                let (fromColumn, toColumn) = (column(start.keep), column(end.keep))
                for x in fromColumn...max(fromColumn, toColumn) {
                    let t = toColumn == fromColumn ? 0 : Double(x - fromColumn) / Double(toColumn - fromColumn)
                    screen.put(".", row: row(start.accuracy + t * (end.accuracy - start.accuracy)), column: x, style: style)
                }
            }
            for point in points { screen.put(marker, row: row(point.accuracy), column: column(point.keep), style: style) }
            legend.append("  \(marker) \(policy.rawValue)", style)
        }
        screen.write(legend, row: inside.maxRow - 1, column: plot.column, width: plot.width)
    }

    private static func drawAxes(_ plot: Rect, scale: AccuracyScale, theme: Theme, into screen: inout Screen) {
        screen.fill(Rect(column: plot.column - 1, row: plot.row, width: 1, height: plot.height),
                    character: theme.glyphs.vertical, style: theme.border)
        for accuracy in [scale.high, (scale.high + scale.low) / 2, scale.low] {
            screen.write(String(format: "%4.0f%%", accuracy * 100), row: plot.row + scale.offset(accuracy, rows: plot.height),
                         column: plot.column - 6, width: 5, style: theme.muted)
        }
        screen.fill(Rect(column: plot.column, row: plot.maxRow, width: plot.width, height: 1),
                    character: theme.glyphs.horizontal, style: theme.border)
        for keep in [0.0, 0.25, 0.5, 0.75, 1.0] {
            let text = String(format: "%.2g", keep)
            let x = plot.column + Int((keep * Double(plot.width - 1)).rounded()) - (keep == 1 ? text.count - 1 : 0)
            screen.write(text, row: plot.maxRow, column: x, width: text.count, style: theme.muted)
        }
        screen.write("keep", row: plot.maxRow, column: plot.column - 5, width: 4, style: theme.muted)
    }
}

/// The vertical range of the plot, widened to whole 5% steps.
struct AccuracyScale {
    let low: Double
    let high: Double

    init(values: [Double]) {
        let finite = values.filter(\.isFinite)
        var low = ((finite.min() ?? 0) * 20).rounded(.down) / 20
        var high = ((finite.max() ?? 1) * 20).rounded(.up) / 20
        if high - low < 0.05 { (low, high) = (max(0, high - 0.05), max(0.05, high)) }
        self.low = low
        self.high = high
    }

    /// Rows from the top of a plot `rows` tall.
    func offset(_ accuracy: Double, rows: Int) -> Int {
        let fraction = (high - min(max(accuracy, low), high)) / (high - low)
        return Int((fraction * Double(rows - 1)).rounded())
    }
}
