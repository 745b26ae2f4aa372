import Formats
import Foundation
import Methods

/// How `glimpse analyze` prints an Analysis.
enum AnalysisReport {
    static func json(_ analysis: Analysis, labels: [String], top count: Int) -> JSONValue {
        let pruned = analysis.policy != .none
        var timings = analysis.timingsMs
        if !pruned { timings["pruned_forward"] = nil }
        var fields: [String: JSONValue] = [
            "model": .string(analysis.modelName),
            "input_size": .array(analysis.inputSize.map { .integer($0) }),
            "grid": .array([.integer(analysis.gridRows), .integer(analysis.gridColumns)]),
            "logits": JSONValue.floats(analysis.logits),
            "top": ranking(analysis.logits, labels: labels, count: count),
            "gradcam": JSONValue.floats(analysis.gradcam),
            "gradcam_class": .integer(analysis.gradcamClass),
            "rollout": JSONValue.floats(analysis.rollout),
            "timings_ms": .object(timings.mapValues { .number(rounded($0)) }),
            "gflops": .object(["dense": .number(rounded(analysis.gflopsDense)), "pruned": .number(rounded(analysis.gflopsPruned))]),
            "policy": .string(analysis.policy.rawValue),
        ]
        if let scorer = analysis.scorer { fields["scorer"] = JSONValue.floats(scorer) }
        if pruned {
            fields["kept"] = .array(analysis.kept.map { .integer($0) })
            fields["pruned_logits"] = JSONValue.floats(analysis.prunedLogits)
            fields["pruned_top"] = ranking(analysis.prunedLogits, labels: labels, count: count)
            switch analysis.budget {
            case .keepRate(let rate): fields["keep"] = .number(rate)
            case .threshold(let value): fields["threshold"] = .number(Double(value))
            }
        }
        return .object(fields)
    }

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

    /// [{"index","label","prob"}] for the `count` most probable classes.
    static func ranking(_ logits: [Float], labels: [String], count: Int) -> JSONValue {
        .array(Analyzer.top(logits, labels: labels, count: count).map { score in
            .object(["index": .integer(score.index), "label": .string(score.label), "prob": JSONValue.float(score.probability)])
        })
    }

    private static func percent(_ probability: Float) -> String { String(format: "%6.2f%%", probability * 100) }

    private static func rounded(_ value: Double) -> Double { (value * 1e4).rounded() / 1e4 }
}
