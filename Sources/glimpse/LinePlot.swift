import Foundation
import Methods

/// Accuracy against keep rate as text: one marker per policy, axes with
/// ticks, and a legend (the seed's Fig. 4, left).
enum LinePlot {
    static let markers: [Character] = ["●", "×", "+", "■", "◆", "▲"]

    static func render(_ rows: [SweepRow], width: Int, height: Int) -> String {
        let curves = Dictionary(grouping: rows.filter { $0.policy != .none }, by: \.policy)
        let policies = PruningPolicy.allCases.filter { curves[$0] != nil }
        guard !policies.isEmpty else { return "" }
        let accuracies = rows.map(\.accuracy)
        let low = max(0, ((accuracies.min() ?? 0) * 20).rounded(.down) / 20)
        let high = min(1, ((accuracies.max() ?? 1) * 20).rounded(.up) / 20)
        let span = max(high - low, 0.05)
        var grid = Array(repeating: Array(repeating: Character(" "), count: width), count: height)
        func column(_ keep: Double) -> Int { min(width - 1, max(0, Int((keep * Double(width - 1)).rounded()))) }
        func line(_ accuracy: Double) -> Int { min(height - 1, max(0, Int(((high - accuracy) / span * Double(height - 1)).rounded()))) }
        for (index, policy) in policies.enumerated() {
            let points = curves[policy]!.sorted { $0.keep < $1.keep }
            // Dots between neighbouring points, then the markers on top.
            for (left, right) in zip(points, points.dropFirst()) {
                let (start, end) = (column(left.keep), column(right.keep))
                guard end > start + 1 else { continue }
                for x in (start + 1)..<end {
                    let fraction = Double(x - start) / Double(end - start)
                    let y = line(left.accuracy + fraction * (right.accuracy - left.accuracy))
                    if grid[y][x] == " " { grid[y][x] = "·" }
                }
            }
            for point in points { grid[line(point.accuracy)][column(point.keep)] = markers[index % markers.count] }
        }
        var lines: [String] = []
        for (y, row) in grid.enumerated() {
            let value = high - Double(y) / Double(height - 1) * span
            let label = y % 4 == 0 || y == height - 1 ? String(format: "%5.1f%%", value * 100) : "      "
            lines.append("\(label) │" + String(row))
        }
        lines.append("       └" + String(repeating: "─", count: width))
        var axis = Array(repeating: Character(" "), count: width + 10)
        for keep in stride(from: 0.0, through: 1.0, by: 0.25) {
            for (offset, character) in String(format: "%.2f", keep).enumerated() {
                let position = 8 + column(keep) - 2 + offset
                if position < axis.count { axis[position] = character }
            }
        }
        lines.append(String(axis) + "  keep rate")
        lines.append("        " + policies.enumerated().map { "\(markers[$0.offset % markers.count]) \($0.element.rawValue)" }
            .joined(separator: "   "))
        return lines.joined(separator: "\n")
    }
}
