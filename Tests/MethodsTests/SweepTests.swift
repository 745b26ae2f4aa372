import Formats
import Foundation
import Kernels
import Methods
import Models
import TestSupport
import Testing

/// A labelled source over synthetic images at the model's input size.
struct SyntheticImages: LabelledImageSource {
    let count: Int
    let channels: Int
    let size: Int
    var classes = 10
    var classNames: [String] { (0..<classes).map(String.init) }

    func image(at index: Int) throws -> Tensor {
        var generator = SeededGenerator(seed: UInt64(index))
        return Tensor.uniform([channels, size, size], in: 0...1, using: &generator)
    }

    func label(at index: Int) -> Int { index % classes }
}

@Suite struct SweepTests {
    @Test func shardsMergeToTheWholeSweep() throws {
        let model = try ViTModel.load(vitFixture("vit64_grey_10"))
        let loader = BatchLoader(source: SyntheticImages(count: 24, channels: 1, size: 64), preprocessing: model.config.preprocessing)
        let sweep = Sweep(model: model, policies: [.none, .random, .gradcam, .clsAttention], keepRates: [0.25, 0.5], batchSize: 5, seed: 1)
        let whole = try sweep.run(loader: loader, indices: Array(0..<24))
        let shards = try (0..<3).map { shard in
            try sweep.run(loader: loader, indices: Array(0..<24).filter { $0 % 3 == shard })
        }
        let merged = try #require(SweepResult.merged(shards))
        #expect(merged.images == 24 && whole.images == 24)
        #expect(merged.denseCorrect == whole.denseCorrect)
        #expect(whole.imagesByClass == [3, 3, 3, 3, 2, 2, 2, 2, 2, 2])
        #expect(merged.imagesByClass == whole.imagesByClass && merged.denseCorrectByClass == whole.denseCorrectByClass)
        #expect(whole.denseCorrectByClass.reduce(0, +) == whole.denseCorrect)
        #expect(merged.classNames == model.config.labels)
        for (left, right) in zip(merged.tallies, whole.tallies) {
            #expect(left.policy == right.policy && left.keep == right.keep)
            #expect(left.correct == right.correct && left.agreeing == right.agreeing)
            #expect(left.correctByClass == right.correctByClass && right.correctByClass.reduce(0, +) == right.correct)
            #expect(abs(left.multiplyAdds - right.multiplyAdds) < 1)
        }
        // The dense row agrees with itself; the oracle keeps every row's GFLOPs below dense.
        let rows = whole.rows
        #expect(rows.first { $0.policy == .none }?.agreement == 1)
        let dense = rows.first { $0.policy == .none }!.gflops
        #expect(rows.filter { $0.policy != .none }.allSatisfy { $0.gflops < dense })
        #expect(rows.filter { $0.policy == .gradcam }.map(\.keep) == [0.25, 0.5])
    }

    /// With registers, keeping every patch token is the dense pass under
    /// every policy, and half of them costs what the blocks after the
    /// pruning block cost on the prefix and 32 patches.
    @Test func registersSurviveEveryPolicy() throws {
        let model = try ViTModel.load(vitFixture("vit32_grey_6_reg2"))
        let loader = BatchLoader(source: SyntheticImages(count: 12, channels: 1, size: 32, classes: 6),
                                 preprocessing: model.config.preprocessing)
        let sweep = Sweep(model: model, policies: [.none, .random, .gradcam, .clsAttention], keepRates: [1, 0.5], batchSize: 5, seed: 1)
        let rows = try sweep.run(loader: loader, indices: Array(0..<12)).rows
        let dense = model.transformer.multiplyAdds() / 1e9
        let half = model.transformer.multiplyAdds(denseBlocks: sweep.pruningBlocks, patchesAfter: 32) / 1e9
        #expect(rows.count == 7)
        for row in rows where row.keep == 1 || row.policy == .none {
            #expect(row.agreement == 1 && abs(row.gflops - dense) < 1e-12, "\(row.policy) at \(row.keep)")
        }
        for row in rows where row.keep == 0.5 && row.policy != .none { #expect(abs(row.gflops - half) < 1e-12, "\(row.policy)") }
    }

    @Test func mismatchedShardsDoNotMerge() {
        let a = SweepResult(tallies: [SweepTally(policy: .random, keep: 0.5)])
        let b = SweepResult(tallies: [SweepTally(policy: .random, keep: 0.3)])
        #expect(SweepResult.merged([a, b]) == nil)
    }

    /// A shard without per-class counts (written before they were kept)
    /// still merges; the merged result then has none.
    @Test func shardsWithoutClassCountsMergeWithoutThem() throws {
        var counted = SweepTally(policy: .random, keep: 0.5)
        counted.images = 4
        counted.correct = 3
        counted.correctByClass = [2, 1]
        var withClasses = SweepResult(tallies: [counted], images: 4, denseCorrect: 4)
        withClasses.classNames = ["a", "b"]
        withClasses.imagesByClass = [2, 2]
        withClasses.denseCorrectByClass = [2, 2]
        var uncounted = SweepTally(policy: .random, keep: 0.5)
        uncounted.images = 2
        uncounted.correct = 1
        let merged = try #require(SweepResult.merged([withClasses, SweepResult(tallies: [uncounted], images: 2, denseCorrect: 1)]))
        #expect(merged.tallies[0].correct == 4 && merged.images == 6)
        #expect(merged.imagesByClass.isEmpty && merged.classNames.isEmpty && merged.tallies[0].correctByClass.isEmpty)
        #expect(try #require(SweepResult.merged([withClasses, withClasses])).denseAccuracyByClass == [1, 1])
    }
}
