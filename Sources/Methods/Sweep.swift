import Autodiff
import Formats
import Kernels
import Models

/// Counts behind one sweep row, kept raw so that shards can be merged.
public struct SweepTally: Sendable, Equatable, Codable {
    public let policy: PruningPolicy
    public let keep: Double
    public var images = 0
    public var correct = 0
    /// Images whose pruned top-1 equals the dense top-1.
    public var agreeing = 0
    public var milliseconds = 0.0
    public var multiplyAdds = 0.0

    public init(policy: PruningPolicy, keep: Double) {
        self.policy = policy
        self.keep = keep
    }

    public var row: SweepRow {
        let count = Double(max(images, 1))
        return SweepRow(policy: policy, keep: keep, accuracy: Double(correct) / count, agreement: Double(agreeing) / count,
                        gflops: multiplyAdds / count / 1e9, msPerImage: milliseconds / count)
    }

    /// Adds another shard's counts for the same policy and keep rate.
    public mutating func absorb(_ other: SweepTally) {
        images += other.images
        correct += other.correct
        agreeing += other.agreeing
        milliseconds += other.milliseconds
        multiplyAdds += other.multiplyAdds
    }
}

/// The result of a sweep (or of one shard of it).
public struct SweepResult: Sendable, Equatable {
    public var tallies: [SweepTally]
    public var images = 0
    public var denseCorrect = 0

    public init(tallies: [SweepTally], images: Int = 0, denseCorrect: Int = 0) {
        self.tallies = tallies
        self.images = images
        self.denseCorrect = denseCorrect
    }

    public var denseAccuracy: Double { Double(denseCorrect) / Double(max(images, 1)) }
    public var rows: [SweepRow] { tallies.map(\.row) }

    /// Sums shards; every shard must have swept the same policies and rates.
    public static func merged(_ shards: [SweepResult]) -> SweepResult? {
        guard var total = shards.first else { return nil }
        for shard in shards.dropFirst() {
            guard shard.tallies.map({ "\($0.policy)\($0.keep)" }) == total.tallies.map({ "\($0.policy)\($0.keep)" }) else { return nil }
            for index in total.tallies.indices { total.tallies[index].absorb(shard.tallies[index]) }
            total.images += shard.images
            total.denseCorrect += shard.denseCorrect
        }
        return total
    }
}

/// Accuracy against compute for pruning policies and keep rates (the seed's
/// Fig. 4, left), on the model's own pruning layer.
public struct Sweep {
    public let model: ViTModel
    public let policies: [PruningPolicy]
    public let keepRates: [Double]
    public let batchSize: Int
    public let seed: UInt64

    public init(model: ViTModel, policies: [PruningPolicy], keepRates: [Double], batchSize: Int = 64, seed: UInt64 = 0) {
        self.model = model
        self.policies = policies
        self.keepRates = keepRates
        self.batchSize = batchSize
        self.seed = seed
    }

    /// Blocks that see every token, as in the Analyzer.
    public var pruningBlocks: Int { model.scorer?.config.layer ?? max(1, model.config.depth / 4) }

    /// Sweeps the given image indices of `loader`'s source; `progress`
    /// receives the fraction done.
    public func run(loader: BatchLoader, indices: [Int], progress: (Double) -> Void = { _ in }) throws -> SweepResult {
        if policies.contains(.scorer) && model.scorer == nil { throw Analyzer.noScorer(model) }
        let transformer = model.transformer
        let patches = model.config.patchCount
        var tallies = policies.flatMap { policy in
            (policy == .none ? [1.0] : keepRates).map { SweepTally(policy: policy, keep: $0) }
        }
        var result = SweepResult(tallies: [])
        var generator = SeededGenerator(seed: seed)
        for start in stride(from: 0, to: indices.count, by: batchSize) {
            let batchIndices = Array(indices[start..<min(indices.count, start + batchSize)])
            let (images, labels) = try loader.batch(batchIndices, augment: false, generator: &generator)
            let count = labels.count
            let pass = DensePass.run(transformer, images: images, options: DensePassOptions(
                keepAttention: policies.contains(.clsAttention), featuresAfterBlocks: pruningBlocks,
                gradcam: policies.contains(.gradcam)))
            let denseMilliseconds = pass.forwardMilliseconds
            let prefixFraction = Double(pruningBlocks) / Double(model.config.depth)
            let denseTop = DensePass.topClasses(pass.logits)
            result.images += count
            result.denseCorrect += zip(denseTop, labels).filter { $0 == $1 }.count
            let features = pass.features!
            for (index, tally) in tallies.enumerated() {
                var tally = tally
                let scoring = Stopwatch()
                let scores = try policyScores(tally.policy, pass: pass, features: features, imageIndices: batchIndices)
                let scoringMilliseconds = scoring.milliseconds
                let pruned: Tensor
                let milliseconds: Double
                if tally.policy == .none {
                    pruned = pass.logits
                    milliseconds = denseMilliseconds
                } else {
                    let kept = scores.map { TokenPruning.select(scores: $0, budget: .keepRate(tally.keep)) }
                    let pruning = Stopwatch()
                    pruned = TokenPruning.forward(transformer, tokens: features, denseBlocks: pruningBlocks, kept: kept)
                    // The shared prefix (embedding and the dense blocks) is
                    // charged by its share of the dense pass.
                    milliseconds = pruning.milliseconds + prefixFraction * denseMilliseconds
                        + (tally.policy == .scorer ? scoringMilliseconds : 0)
                }
                let top = DensePass.topClasses(pruned)
                tally.images += count
                tally.correct += zip(top, labels).filter { $0 == $1 }.count
                tally.agreeing += zip(top, denseTop).filter { $0 == $1 }.count
                tally.milliseconds += milliseconds
                let keptTokens = TokenPruning.keepCount(patches: patches, keepRate: tally.keep) + 1
                var multiplyAdds = tally.policy == .none ? transformer.multiplyAdds()
                    : transformer.multiplyAdds(denseBlocks: pruningBlocks, tokensAfter: keptTokens)
                if tally.policy == .scorer, let scorer = model.scorer { multiplyAdds += scorer.multiplyAdds(tokens: patches) }
                tally.multiplyAdds += multiplyAdds * Double(count)
                tallies[index] = tally
            }
            progress(Double(min(indices.count, start + batchSize)) / Double(indices.count))
        }
        result.tallies = tallies
        return result
    }

    /// Per item, the token scores a policy ranks by.
    private func policyScores(_ policy: PruningPolicy, pass: DensePass, features: Tensor,
                              imageIndices: [Int]) throws -> [[Float]] {
        let patches = model.config.patchCount
        let items = imageIndices.count
        switch policy {
        case .none:
            return []
        case .random:
            // Seeded per image, so shards and batch sizes give the same draw.
            return imageIndices.map { TokenPruning.randomScores(patches: patches, seed: seed &+ UInt64($0)) }
        case .gradcam:
            return pass.gradcam
        case .clsAttention:
            return (0..<items).map { Rollout.classAttention(pass.attention[pruningBlocks - 1], item: $0) }
        case .scorer:
            guard let scorer = model.scorer else { throw Analyzer.noScorer(model) }
            let patchTokens = gatherTokens(Variable(features), indices: Array(repeating: Array(1...patches), count: items))
            let scores = scorer.scores(patchTokens).value
            return (0..<items).map { Array(scores.array[($0 * patches)..<(($0 + 1) * patches)]) }
        }
    }
}
