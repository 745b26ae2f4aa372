import Formats

/// The JSON document of `glimpse analyze --json` (also the workbench's
/// JSON export): one object with the model, input, logits, ranked classes,
/// the per-token maps and, when pruning, the kept tokens and pruned results.
extension Analysis {
    public func jsonDocument(labels: [String], top count: Int = 5) -> JSONValue {
        let pruned = policy != .none
        var timings = timingsMs
        if !pruned { timings["pruned_forward"] = nil }
        var fields: [String: JSONValue] = [
            "model": .string(modelName),
            "input_size": .array(inputSize.map { .integer($0) }),
            "grid": .array([.integer(gridRows), .integer(gridColumns)]),
            "logits": JSONValue.floats(logits),
            "top": Self.ranking(logits, labels: labels, count: count),
            "gradcam": JSONValue.floats(gradcam),
            "gradcam_class": .integer(gradcamClass),
            "rollout": JSONValue.floats(rollout),
            "timings_ms": .object(timings.mapValues { .number(Self.rounded($0)) }),
            "gflops": .object(["dense": .number(Self.rounded(gflopsDense)), "pruned": .number(Self.rounded(gflopsPruned))]),
            "policy": .string(policy.rawValue),
        ]
        if let scorer { fields["scorer"] = JSONValue.floats(scorer) }
        if pruned {
            fields["kept"] = .array(kept.map { .integer($0) })
            fields["pruned_logits"] = JSONValue.floats(prunedLogits)
            fields["pruned_top"] = Self.ranking(prunedLogits, labels: labels, count: count)
            switch budget {
            case .keepRate(let rate): fields["keep"] = .number(rate)
            case .threshold(let value): fields["threshold"] = .number(Double(value))
            }
        }
        return .object(fields)
    }

    /// [{"index","label","prob"}] for the `count` most probable classes.
    static func ranking(_ logits: [Float], labels: [String], count: Int) -> JSONValue {
        .array(Analyzer.top(logits, labels: labels, count: count).map { score in
            .object(["index": .integer(score.index), "label": .string(score.label), "prob": JSONValue.float(score.probability)])
        })
    }

    private static func rounded(_ value: Double) -> Double { (value * 1e4).rounded() / 1e4 }
}
