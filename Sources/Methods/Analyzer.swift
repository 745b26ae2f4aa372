import Autodiff
import Formats
import Foundation
import Kernels
import Models

/// Computes `Analysis` values for one model, caching the dense pass per
/// image and target class so that changing only the budget or the policy
/// costs one pruned forward pass.
public final class Analyzer: @unchecked Sendable {
    public let model: ViTModel
    /// Blocks run on every token before pruning: the Scorer's layer, or a
    /// quarter of the depth when the model has no Scorer.
    public let pruningBlocks: Int
    /// The last dense pass, with the input it was run on: holding the
    /// tensor (not just its identity) keeps its address from being reused
    /// by a later image.
    private var cache: (input: Tensor, targetClass: Int?, dense: DenseSummary)?

    /// What the dense pass established for one image.
    private struct DenseSummary {
        let logits: [Float]
        let features: Tensor
        let gradcam: [Float]
        let gradcamClass: Int
        let rollout: [Float]
        let classAttention: [Float]
        let scorer: [Float]?
        let forwardMilliseconds: Double
        let gradcamMilliseconds: Double
    }

    public init(model: ViTModel) {
        self.model = model
        pruningBlocks = model.pruningBlocks
    }

    /// Analyses a preprocessed input [1, C, H, W]. `display` is the
    /// unnormalised crop [3, H, W] for drawing.
    public func analyze(input: PreparedImage, request: AnalysisRequest) throws -> Analysis {
        let config = model.config
        if request.policy == .scorer && model.scorer == nil { throw Self.noScorer(model) }
        let dense = denseSummary(input.tensor, targetClass: request.targetClass)
        let scores: [Float]?
        switch request.policy {
        case .none: scores = nil
        case .random: scores = TokenPruning.randomScores(patches: config.patchCount, seed: request.seed)
        case .scorer: scores = dense.scorer
        case .gradcam: scores = dense.gradcam
        case .clsAttention: scores = dense.classAttention
        }
        let kept = scores.map { TokenPruning.select(scores: $0, budget: request.budget) } ?? Array(0..<config.patchCount)
        let clock = Stopwatch()
        let prunedLogits = request.policy == .none
            ? dense.logits
            : TokenPruning.forward(model.transformer, tokens: dense.features, denseBlocks: pruningBlocks, kept: [kept]).array
        let prunedMilliseconds = clock.milliseconds
        let denseMultiplyAdds = model.transformer.multiplyAdds()
        var prunedMultiplyAdds = model.transformer.multiplyAdds(denseBlocks: pruningBlocks, patchesAfter: kept.count)
        if request.policy == .scorer, let scorer = model.scorer { prunedMultiplyAdds += scorer.multiplyAdds(tokens: config.patchCount) }
        return Analysis(
            modelName: model.name, inputSize: config.preprocessing.inputSize,
            gridRows: config.gridRows, gridColumns: config.gridColumns, displayImage: input.display,
            logits: dense.logits, top: Self.top(dense.logits, labels: config.labels, count: 5),
            gradcam: dense.gradcam, gradcamClass: dense.gradcamClass, rollout: dense.rollout, scorer: dense.scorer,
            policy: request.policy, budget: request.budget, kept: kept,
            prunedLogits: prunedLogits, prunedTop: Self.top(prunedLogits, labels: config.labels, count: 5),
            gflopsDense: denseMultiplyAdds / 1e9, gflopsPruned: (request.policy == .none ? denseMultiplyAdds : prunedMultiplyAdds) / 1e9,
            timingsMs: ["preprocess": input.milliseconds, "forward": dense.forwardMilliseconds,
                        "gradcam": dense.gradcamMilliseconds, "pruned_forward": prunedMilliseconds])
    }

    private func denseSummary(_ input: Tensor, targetClass: Int?) -> DenseSummary {
        if let cache, cache.input === input, cache.targetClass == targetClass { return cache.dense }
        let pass = DensePass.run(model.transformer, images: input, options: DensePassOptions(
            keepAttention: true, featuresAfterBlocks: pruningBlocks, gradcam: true,
            targetClasses: targetClass.map { [$0] }))
        let features = pass.features!
        let scorer = model.scorer.map { scorer in
            scorer.scores(model.transformer.patchTokens(Variable(features))).value.array
        }
        let summary = DenseSummary(
            logits: pass.logits.array, features: features, gradcam: pass.gradcam[0], gradcamClass: pass.gradcamClasses[0],
            rollout: Rollout.map(attention: pass.attention, prefixTokens: model.config.prefixTokenCount, classToken: model.config.classToken),
            classAttention: Rollout.classAttention(pass.attention[pruningBlocks - 1], prefixTokens: model.config.prefixTokenCount,
                                                   classToken: model.config.classToken),
            scorer: scorer, forwardMilliseconds: pass.forwardMilliseconds, gradcamMilliseconds: pass.totalMilliseconds)
        cache = (input, targetClass, summary)
        return summary
    }

    /// The failure of asking a model without a Scorer for the scorer policy.
    public static func noScorer(_ model: ViTModel) -> FileError {
        FileError(path: model.path, problem: "the model has no Scorer (scorer.safetensors); train one with `glimpse train-scorer`")
    }

    /// The `count` most probable classes of a logit vector.
    public static func top(_ logits: [Float], labels: [String], count: Int) -> [ClassScore] {
        let probabilities = Tensor(shape: [1, logits.count], values: logits)
        Softmax.forward(probabilities.pointer, probabilities.pointer, rows: 1, columns: logits.count)
        let order = logits.indices.sorted { logits[$0] != logits[$1] ? logits[$0] > logits[$1] : $0 < $1 }
        return order.prefix(count).map { ClassScore(index: $0, label: labels[$0], probability: probabilities[flat: $0]) }
    }
}
