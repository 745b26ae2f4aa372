import Autodiff
import Kernels
import Models

/// Which patch tokens survive a budget, and the forward pass on them.
public enum TokenPruning {
    /// ceil(keep × patches), at least one and at most all.
    public static func keepCount(patches: Int, keepRate: Double) -> Int {
        min(patches, max(1, Int((keepRate * Double(patches) - 1e-9).rounded(.up))))
    }

    /// Grid indices of the kept tokens, ascending. Keep rate: the top
    /// `keepCount` by score (ties to the lower index). Threshold: every
    /// token scoring ≥ T, or the single best one if none does.
    public static func select(scores: [Float], budget: PruningBudget) -> [Int] {
        let ranked = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        switch budget {
        case .keepRate(let rate):
            return ranked.prefix(keepCount(patches: scores.count, keepRate: rate)).sorted()
        case .threshold(let threshold):
            let passing = ranked.filter { scores[$0] >= threshold }
            return (passing.isEmpty ? Array(ranked.prefix(1)) : passing).sorted()
        }
    }

    /// Uniform random scores for the random policy, reproducible by seed.
    public static func randomScores(patches: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<patches).map { _ in Float.random(in: 0..<1, using: &generator) }
    }

    /// Runs blocks `denseBlocks`… on the prefix tokens plus the kept patch
    /// tokens, physically gathered, and returns the logits [B, classes].
    /// `tokens` [B, K+P, D] are the features after `denseBlocks` blocks;
    /// `kept[b]` are grid indices (all items keep the same count).
    public static func forward(_ model: VisionTransformer, tokens: Tensor, denseBlocks: Int, kept: [[Int]]) -> Tensor {
        var sequence = model.keepingPrefix(Variable(tokens), patches: kept)
        for index in denseBlocks..<model.config.depth {
            sequence = model.block(index, sequence).tokens
        }
        return model.classify(sequence).value
    }
}
