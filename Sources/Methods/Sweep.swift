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
    /// Correct images by true class (empty when the counts were not kept).
    public var correctByClass: [Int] = []

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
        correctByClass = PerClass.sum(correctByClass, other.correctByClass)
    }
}

/// Counts indexed by true class.
public enum PerClass {
    /// Adds `labels`' hits (`hits[i]` for image i) into `counts`, which
    /// has one entry per class.
    static func add(_ hits: [Bool], labels: [Int], into counts: inout [Int]) {
        for (hit, label) in zip(hits, labels) where hit && counts.indices.contains(label) { counts[label] += 1 }
    }

    /// Element-wise sum of two shards' counts; empty unless both kept them
    /// for the same classes.
    static func sum(_ a: [Int], _ b: [Int]) -> [Int] {
        a.count == b.count ? zip(a, b).map(+) : []
    }

    /// counts[c] / images[c], or nil where a class has no image.
    public static func rates(_ counts: [Int], of images: [Int]) -> [Double?] {
        zip(counts, images).map { $1 == 0 ? nil : Double($0) / Double($1) }
    }
}

/// The result of a sweep (or of one shard of it).
public struct SweepResult: Sendable, Equatable {
    public var tallies: [SweepTally]
    public var images = 0
    public var denseCorrect = 0
    /// The model's class names, and images and dense hits by true class
    /// (all empty when the counts were not kept).
    public var classNames: [String] = []
    public var imagesByClass: [Int] = []
    public var denseCorrectByClass: [Int] = []

    public init(tallies: [SweepTally], images: Int = 0, denseCorrect: Int = 0) {
        self.tallies = tallies
        self.images = images
        self.denseCorrect = denseCorrect
    }

    /// Dense accuracy by true class (nil where the class has no image).
    public var denseAccuracyByClass: [Double?] { PerClass.rates(denseCorrectByClass, of: imagesByClass) }

    /// A row's accuracy by true class.
    public func accuracyByClass(_ tally: SweepTally) -> [Double?] { PerClass.rates(tally.correctByClass, of: imagesByClass) }

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
            if shard.classNames != total.classNames { total.classNames = [] }
            total.imagesByClass = PerClass.sum(total.imagesByClass, shard.imagesByClass)
            total.denseCorrectByClass = PerClass.sum(total.denseCorrectByClass, shard.denseCorrectByClass)
        }
        if total.classNames.isEmpty || total.imagesByClass.isEmpty || total.tallies.contains(where: { $0.correctByClass.isEmpty }) {
            total.classNames = []
            total.imagesByClass = []
            total.denseCorrectByClass = []
            for index in total.tallies.indices { total.tallies[index].correctByClass = [] }
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
    public var pruningBlocks: Int { model.pruningBlocks }

    /// Sweeps the given image indices of `loader`'s source; `progress`
    /// receives the fraction done.
    public func run(loader: BatchLoader, indices: [Int], progress: (Double) -> Void = { _ in }) throws -> SweepResult {
        if policies.contains(.scorer) && model.scorer == nil { throw Analyzer.noScorer(model) }
        let transformer = model.transformer
        let patches = model.config.patchCount
        let classes = model.config.classes
        var tallies = policies.flatMap { policy in
            (policy == .none ? [1.0] : keepRates).map { keep in
                var tally = SweepTally(policy: policy, keep: keep)
                tally.correctByClass = Array(repeating: 0, count: classes)
                return tally
            }
        }
        var result = SweepResult(tallies: [])
        result.classNames = model.config.labels
        result.imagesByClass = Array(repeating: 0, count: classes)
        result.denseCorrectByClass = Array(repeating: 0, count: classes)
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
            PerClass.add(Array(repeating: true, count: count), labels: labels, into: &result.imagesByClass)
            PerClass.add(zip(denseTop, labels).map { $0 == $1 }, labels: labels, into: &result.denseCorrectByClass)
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
                let hits = zip(top, labels).map { $0 == $1 }
                tally.images += count
                tally.correct += hits.filter { $0 }.count
                PerClass.add(hits, labels: labels, into: &tally.correctByClass)
                tally.agreeing += zip(top, denseTop).filter { $0 == $1 }.count
                tally.milliseconds += milliseconds
                let keptPatches = TokenPruning.keepCount(patches: patches, keepRate: tally.keep)
                var multiplyAdds = tally.policy == .none ? transformer.multiplyAdds()
                    : transformer.multiplyAdds(denseBlocks: pruningBlocks, patchesAfter: keptPatches)
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
            let prefix = model.config.prefixTokenCount
            return (0..<items).map { Rollout.classAttention(pass.attention[pruningBlocks - 1], prefixTokens: prefix, classToken: model.config.classToken, item: $0) }
        case .scorer:
            guard let scorer = model.scorer else { throw Analyzer.noScorer(model) }
            let scores = scorer.scores(model.transformer.patchTokens(Variable(features))).value
            return (0..<items).map { Array(scores.array[($0 * patches)..<(($0 + 1) * patches)]) }
        }
    }
}
