import Formats
import Foundation
import Methods

/// How `glimpse analyze` prints an Analysis.
enum AnalysisReport {
    static func text(_ analysis: Analysis, labels: [String], image: String, top count: Int) -> String {
        let patches = analysis.gridRows * analysis.gridColumns
        var lines = [
            "model   \(analysis.modelName)  input \(analysis.inputSize.map(String.init).joined(separator: "×"))  grid \(analysis.gridRows)×\(analysis.gridColumns)",
            "image   \(image)",
            "top-\(count)",
        ]
        for (rank, score) in Analyzer.top(analysis.logits, labels: labels, count: count).enumerated() {
            lines.append("  \(rank + 1). \(score.label.padding(toLength: 24, withPad: " ", startingAt: 0)) \(percent(score.probability))")
        }
        lines.append("grad-cam explains class \(analysis.gradcamClass) (\(labels[analysis.gradcamClass]))")
        if analysis.policy != .none, let first = Analyzer.top(analysis.prunedLogits, labels: labels, count: 1).first {
            let budget: String
            switch analysis.budget {
            case .keepRate(let rate): budget = "keep \(String(format: "%.2f", rate))"
            case .threshold(let value): budget = "threshold \(String(format: "%.2f", value))"
            }
            lines.append("pruned  \(analysis.policy.rawValue), \(budget): \(analysis.kept.count)/\(patches) tokens → \(first.label) \(percent(first.probability))")
        }
        lines.append(String(format: "GFLOPs  dense %.4f, pruned %.4f", analysis.gflopsDense, analysis.gflopsPruned))
        let order = ["preprocess", "forward", "gradcam", "pruned_forward"]
        let timings = order.compactMap { key in
            analysis.timingsMs[key].flatMap { key != "pruned_forward" || analysis.policy != .none ? String(format: "%@ %.2f ms", key, $0) : nil }
        }
        lines.append("timings " + timings.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    private static func percent(_ probability: Float) -> String { String(format: "%6.2f%%", probability * 100) }

}
