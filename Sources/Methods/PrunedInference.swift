import Autodiff
import Kernels
import Models

/// Inference that really prunes: the first blocks on every token, a
/// policy's scores, then the remaining blocks on the kept tokens only. Unlike
/// the Analyzer it runs no dense pass, so its latency is what pruning costs.
public struct PrunedInference {
    public let model: VisionTransformer
    public let scorer: Scorer?
    public let denseBlocks: Int

    public init(model: VisionTransformer, scorer: Scorer?, denseBlocks: Int) {
        self.model = model
        self.scorer = scorer
        self.denseBlocks = denseBlocks
    }

    /// Logits [1, classes] of one preprocessed image [1, C, H, W] under a
    /// policy that needs no dense pass (scorer, random, cls-attention).
    public func logits(_ image: Tensor, policy: PruningPolicy, budget: PruningBudget, seed: UInt64 = 0) -> Tensor {
        var tokens = model.embed(Variable(image))
        var attention: Tensor?
        for index in 0..<denseBlocks {
            let output = model.block(index, tokens, taps: BlockTaps(keepAttention: policy == .clsAttention && index == denseBlocks - 1))
            tokens = output.tokens
            attention = output.attention ?? attention
        }
        let patches = model.config.patchCount
        let scores: [Float]
        switch policy {
        case .scorer:
            guard let scorer else { preconditionFailure("the scorer policy needs a Scorer") }
            scores = scorer.scores(model.patchTokens(tokens)).value.array
        case .random:
            scores = TokenPruning.randomScores(patches: patches, seed: seed)
        case .clsAttention:
            scores = Rollout.classAttention(attention!, prefixTokens: model.config.prefixTokenCount, classToken: model.config.classToken)
        case .none, .gradcam:
            preconditionFailure("\(policy) is not an inference policy")
        }
        let kept = TokenPruning.select(scores: scores, budget: budget)
        return TokenPruning.forward(model, tokens: tokens.value, denseBlocks: denseBlocks, kept: [kept])
    }
}
