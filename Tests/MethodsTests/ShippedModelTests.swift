import Formats
import Foundation
import Methods
import Models
import TestSupport
import Testing

/// The embedded default model's own numbers on the whole Fashion-MNIST
/// test split (10000 images), where it measures dense 90.20%; keep 0.3:
/// scorer 89.10%, random 83.10%; keep 0.5: scorer 89.82%. (On the first 2000
/// images alone the Scorer's lead at keep 0.3 is 4.85 points.) Every check
/// is an acceptance figure itself, so a regression in the engine, the
/// weights or the Scorer shows.
@Suite(.enabled(if: FileManager.default.fileExists(atPath: FashionMNIST.defaultDirectory), "needs dataset-fashion-mnist"))
struct ShippedModelTests {
    @Test func denseAndScorerAccuracyHold() throws {
        let model = try ViTModel.load(RepositoryPaths.assets.appendingPathComponent("models/fashion-vit").path)
        // As `glimpse sweep` runs it: matrices packed for the inference GEMM.
        model.prepareForInference()
        #expect(model.config.gridRows >= 14 && model.config.gridColumns >= 14)
        let scorer = try #require(model.scorer, "the shipped model carries its Scorer")
        #expect(scorer.config.layer >= 1)
        let test = try FashionMNIST(split: .test)
        let keepRates = [0.1, 0.3, 0.5]
        let sweep = Sweep(model: model, policies: [.none, .random, .scorer], keepRates: keepRates, batchSize: 100)
        let result = try sweep.run(loader: BatchLoader(source: test, preprocessing: model.config.preprocessing),
                                   indices: Array(0..<test.count))
        func accuracy(_ policy: PruningPolicy, _ keep: Double) -> Double {
            result.rows.first { $0.policy == policy && $0.keep == keep }!.accuracy
        }
        #expect(result.denseAccuracy >= 0.90, "dense \(result.denseAccuracy)")
        #expect(accuracy(.scorer, 0.5) >= result.denseAccuracy - 0.01, "scorer at 0.5: \(accuracy(.scorer, 0.5))")
        #expect(accuracy(.scorer, 0.3) >= accuracy(.random, 0.3) + 0.05,
                "scorer \(accuracy(.scorer, 0.3)) vs random \(accuracy(.random, 0.3)) at 0.3")
        for keep in keepRates {
            #expect(accuracy(.scorer, keep) > accuracy(.random, keep),
                    "scorer \(accuracy(.scorer, keep)) vs random \(accuracy(.random, keep)) at \(keep)")
        }
    }
}
