import Autodiff
import Formats
import Foundation
import Kernels
import Methods
import Models
import TestSupport
import Testing

/// Images whose class is the bright quadrant: learnable in a few steps.
struct QuadrantImages: LabelledImageSource {
    let count: Int
    var classNames: [String] { ["top-left", "top-right", "bottom-left", "bottom-right"] }

    func image(at index: Int) throws -> Tensor {
        var generator = SeededGenerator(seed: UInt64(index) &+ 100)
        let image = Tensor.uniform([1, 8, 8], in: 0...0.2, using: &generator)
        let quadrant = label(at: index)
        for y in 0..<4 { for x in 0..<4 { image[flat: (y + 4 * (quadrant / 2)) * 8 + x + 4 * (quadrant % 2)] = 1 } }
        return image
    }

    func label(at index: Int) -> Int { index % 4 }
}

func tinyViT(seed: UInt64, stemWidths: [Int] = [], patchHiddenWidth: Int = 0, registerTokens: Int = 0,
             positionsIncludePrefix: Bool = true) -> VisionTransformer {
    var config = ViTConfig(architecture: "tiny", imageHeight: 8, imageWidth: 8, patchSize: 2, embedDimension: 16, depth: 2, heads: 2,
                           mlpRatio: 2, inChannels: 1, classes: 4, labels: QuadrantImages(count: 0).classNames,
                           preprocessing: Preprocessing(inputSize: [1, 8, 8], cropFraction: 1, interpolation: .bilinear,
                                                        mean: [0.3], std: [0.4]))
    config.stemWidths = stemWidths
    config.patchHiddenWidth = patchHiddenWidth
    config.registerTokens = registerTokens
    config.positionsIncludePrefix = positionsIncludePrefix
    return VisionTransformer(config: config, parameters: VisionTransformer.initialParameters(config, seed: seed))
}

@Suite struct TrainingTests {
    /// Dropping tokens in this toy can remove the bright quadrant that is
    /// the label, so the learning check trains dense.
    func settings(epochs: Int, tokenDrop: Double = 0) -> ViTTrainingSettings {
        var settings = ViTTrainingSettings()
        settings.epochs = epochs
        settings.batchSize = 16
        settings.learningRate = 3e-3
        settings.warmupEpochs = 0.5
        settings.tokenDropBlocks = 1
        settings.tokenDropProbability = tokenDrop
        return settings
    }

    @Test func trainingLearns() throws {
        let source = QuadrantImages(count: 64)
        let model = tinyViT(seed: 1)
        let loader = BatchLoader(source: source, preprocessing: model.config.preprocessing)
        let before = try Evaluation.accuracy(model, loader: loader)
        var losses: [Double] = []
        let directory = try TemporaryDirectory()
        try ViTTrainer(model: model, loader: loader, settings: settings(epochs: 30))
            .train(checkpoint: directory.path("straight.safetensors"), resume: false) { losses.append($0.loss) }
        let after = try Evaluation.accuracy(model, loader: loader)
        #expect(after >= 0.9 && after > before, "accuracy \(before) → \(after)")
        #expect(losses.last! < losses.first!)
    }

    /// A layer before the patch embedding's projection, or register
    /// tokens, on the toy's 8×8 pixels and 16 patches of 2×2.
    struct EmbeddingVariant: Sendable, CustomTestStringConvertible {
        var stemWidths: [Int] = [], patchHiddenWidth = 0, registerTokens = 0, positionsIncludePrefix = true
        let shapes: [String: [Int]]
        /// Multiply-adds it adds to the plain model's forward pass.
        let addedMultiplyAdds: Double
        let firstLayer: String
        var testDescription: String {
            registerTokens > 0 ? "\(registerTokens) registers" : stemWidths.isEmpty ? "patch hidden \(patchHiddenWidth)" : "stem \(stemWidths)"
        }

        func model(seed: UInt64) -> VisionTransformer {
            tinyViT(seed: seed, stemWidths: stemWidths, patchHiddenWidth: patchHiddenWidth, registerTokens: registerTokens,
                    positionsIncludePrefix: positionsIncludePrefix)
        }
    }

    static let embeddingVariants = [
        // Two 3×3 convolutions over 64 pixels; the projection reads 4 channels instead of 1.
        EmbeddingVariant(stemWidths: [3, 4],
                         shapes: ["stem.1.weight": [4, 3, 3, 3], "patch_embed.proj.weight": [16, 4, 2, 2]],
                         addedMultiplyAdds: 64.0 * 9 * (1 * 3 + 3 * 4) + 16.0 * 4 * (4 - 1) * 16, firstLayer: "stem.0.weight"),
        // Each patch's 4 pixels reach 5 hidden units, whose values the projection reads instead.
        EmbeddingVariant(patchHiddenWidth: 5,
                         shapes: ["patch_embed.hidden.weight": [5, 1, 2, 2], "patch_embed.proj.weight": [16, 5, 1, 1]],
                         addedMultiplyAdds: 16.0 * (4 * 5 + 5 * 16 - 4 * 16), firstLayer: "patch_embed.hidden.weight"),
        // Both blocks see 19 tokens instead of 17: linear layers (width 16, MLP 32) per token, attention per pair.
        EmbeddingVariant(registerTokens: 2, positionsIncludePrefix: false,
                         shapes: ["reg_token": [1, 2, 16], "pos_embed": [1, 16, 16]],
                         addedMultiplyAdds: 2 * (2.0 * 16 * (4 * 16 + 2 * 32) + 2 * (19.0 * 19 - 17 * 17) * 16), firstLayer: "reg_token"),
    ]

    /// A stem, a patch hidden layer or registers learn (the first layer
    /// receives gradients), add the multiply-adds they should and survive a
    /// write and load with identical logits.
    @Test(arguments: embeddingVariants)
    func embeddingLayersLearnAndRoundTrip(variant: EmbeddingVariant) throws {
        let source = QuadrantImages(count: 64)
        let model = variant.model(seed: 1)
        for (name, shape) in variant.shapes { #expect(model.parameters[name]?.shape == shape, "\(name)") }
        #expect(model.multiplyAdds() - tinyViT(seed: 1).multiplyAdds() == variant.addedMultiplyAdds)
        let firstLayer = model.parameters[variant.firstLayer]!.array
        let loader = BatchLoader(source: source, preprocessing: model.config.preprocessing)
        let directory = try TemporaryDirectory()
        try ViTTrainer(model: model, loader: loader, settings: settings(epochs: 30))
            .train(checkpoint: directory.path("embedding.safetensors"), resume: false) { _ in }
        let accuracy = try Evaluation.accuracy(model, loader: loader)
        #expect(accuracy >= 0.9, "accuracy \(accuracy)")
        #expect(model.parameters[variant.firstLayer]!.array != firstLayer, "\(variant.firstLayer) received no gradient")
        let folder = try directory.folder("written")
        try ModelWriter.write(model, to: folder)
        let loaded = try ViTModel.load(folder)
        #expect(loaded.config == model.config)
        var generator = SeededGenerator(seed: 5)
        let images = try loader.batch(Array(0..<4), augment: false, generator: &generator).images
        #expect(loaded.transformer.logits(Variable(images)).value.array == model.logits(Variable(images)).value.array)
    }

    /// A run interrupted after 8 steps and resumed ends with the same weights
    /// (and the same jointly trained Scorer) as an uninterrupted one, also
    /// when the interruption falls inside the averaged epochs.
    @Test(arguments: TokenDropGuide.allCases, [1, 3])
    func resumingReproducesTheUninterruptedRun(guide: TokenDropGuide, averagedEpochs: Int) throws {
        let loader = BatchLoader(source: QuadrantImages(count: 64), preprocessing: tinyViT(seed: 1).config.preprocessing)
        var dropping = settings(epochs: 4, tokenDrop: 0.5)
        dropping.tokenDropGuide = guide
        dropping.averagedEpochs = averagedEpochs
        let directory = try TemporaryDirectory()
        let checkpoint = directory.path("checkpoint.safetensors")
        let straight = ViTTrainer(model: tinyViT(seed: 1), loader: loader, settings: dropping)
        try straight.train(checkpoint: checkpoint, resume: false, checkpointEvery: 4) { progress in
            if progress.step == 8 { try? FileManager.default.copyItem(atPath: checkpoint, toPath: checkpoint + ".at8") }
        }
        try FileManager.default.removeItem(atPath: checkpoint)
        try FileManager.default.moveItem(atPath: checkpoint + ".at8", toPath: checkpoint)
        let resumed = ViTTrainer(model: tinyViT(seed: 99), loader: loader, settings: dropping)
        try resumed.train(checkpoint: checkpoint, resume: true) { progress in #expect(progress.step > 8) }
        for name in straight.model.parameters.names {
            #expect(resumed.model.parameters[name]!.array == straight.model.parameters[name]!.array, "\(name)")
        }
        #expect((straight.scorer != nil) == (guide == .scorer))
        for name in straight.scorer?.parameters.names ?? [] {
            #expect(resumed.scorer!.parameters[name]!.array == straight.scorer!.parameters[name]!.array, "scorer \(name)")
        }
    }

    /// Splitting each batch of 16 into shards of 5, 5 and 6 images that run
    /// on separate workers trains the same weights and reports the same
    /// losses as whole batches, up to float rounding, for every way of
    /// choosing the kept tokens and with a teacher.
    @Test(arguments: TokenDropGuide.allCases)
    func shardedBatchesTrainAsWholeBatches(guide: TokenDropGuide) throws {
        let loader = BatchLoader(source: QuadrantImages(count: 64), preprocessing: tinyViT(seed: 1).config.preprocessing)
        var dropping = settings(epochs: 2, tokenDrop: 0.75)
        dropping.tokenDropGuide = guide
        dropping.scorerUpdateInterval = 2
        let directory = try TemporaryDirectory()
        func run(shards: Int) throws -> (ViTTrainer, [Double]) {
            let trainer = ViTTrainer(model: tinyViT(seed: 1), loader: loader, settings: dropping, teacher: tinyViT(seed: 7),
                                     shards: shards)
            var losses: [Double] = []
            try trainer.train(checkpoint: directory.path("shards\(shards).safetensors"), resume: false) { losses.append($0.loss) }
            return (trainer, losses)
        }
        let (whole, wholeLosses) = try run(shards: 1)
        let (sharded, shardedLosses) = try run(shards: 3)
        #expect(wholeLosses.count == 8)
        for (one, other) in zip(wholeLosses, shardedLosses) { #expect(abs(one - other) <= 1e-5, "losses \(one) and \(other)") }
        for name in whole.model.parameters.names {
            let difference = zip(whole.model.parameters[name]!.array, sharded.model.parameters[name]!.array).map { abs($0 - $1) }.max()!
            #expect(difference <= 1e-5, "\(name) differs by \(difference)")
        }
    }

    /// Averaging the last two epochs leaves the backbone and the Scorer at
    /// the mean of their weights at the ends of epochs 3 and 4.
    @Test func averagingLeavesTheMeanOfTheLastEpochEnds() throws {
        let loader = BatchLoader(source: QuadrantImages(count: 64), preprocessing: tinyViT(seed: 1).config.preprocessing)
        var averaging = settings(epochs: 4, tokenDrop: 1)
        averaging.tokenDropGuide = .scorer
        averaging.scorerUpdateInterval = 1
        averaging.averagedEpochs = 2
        let trainer = ViTTrainer(model: tinyViT(seed: 1), loader: loader, settings: averaging)
        let sets = [trainer.model.parameters, trainer.scorer!.parameters]
        var epochEnds: [[[String: [Float]]]] = []
        let directory = try TemporaryDirectory()
        try trainer.train(checkpoint: directory.path("averaged.safetensors"), resume: false) { progress in
            if progress.step % 4 == 0 {
                epochEnds.append(sets.map { set in Dictionary(uniqueKeysWithValues: set.names.map { ($0, set[$0]!.array) }) })
            }
        }
        #expect(epochEnds.count == 4)
        for (index, set) in sets.enumerated() {
            for name in set.names {
                let third = epochEnds[2][index][name]!, last = epochEnds[3][index][name]!
                let mean = zip(third, last).map { ($0 + $1) / 2 }
                let difference = zip(set[name]!.array, mean).map { abs($0 - $1) }.max()!
                #expect(difference <= 1e-6, "\(name): \(difference) from the mean")
            }
            #expect(set.names.contains { set[$0]!.array != epochEnds[3][index][$0]! }, "the final weights were kept")
        }
    }

    /// Fine-tuning (`train vit --from`) starts from the given weights and
    /// goes on training the given Scorer: a trained model stays accurate
    /// through a short low-rate run that fresh weights would not get far in.
    @Test func fineTuningContinuesTheGivenWeightsAndScorer() throws {
        let source = QuadrantImages(count: 64)
        let model = tinyViT(seed: 1)
        let loader = BatchLoader(source: source, preprocessing: model.config.preprocessing)
        let directory = try TemporaryDirectory()
        try ViTTrainer(model: model, loader: loader, settings: settings(epochs: 30))
            .train(checkpoint: directory.path("base.safetensors"), resume: false) { _ in }
        let scorerConfig = ScorerConfig(layer: 1, inputDimension: 16, hiddenDimension: 8)
        let scorer = Scorer(config: scorerConfig, parameters: Scorer.initialParameters(scorerConfig, seed: 7))
        let scorerBefore = scorer.parameters["fc1.weight"]!.array
        var fineTuning = settings(epochs: 2, tokenDrop: 1)
        fineTuning.learningRate = 1e-4
        fineTuning.tokenDropKeep = 0.75...1
        fineTuning.tokenDropGuide = .scorer
        fineTuning.scorerUpdateInterval = 1
        let trainer = ViTTrainer(model: model, loader: loader, settings: fineTuning, scorer: scorer)
        try trainer.train(checkpoint: directory.path("tuned.safetensors"), resume: false) { _ in }
        #expect(trainer.scorer === scorer)
        #expect(scorer.parameters["fc1.weight"]!.array != scorerBefore, "the given Scorer was not trained")
        let tuned = try Evaluation.accuracy(model, loader: loader)
        let fresh = tinyViT(seed: 1)
        try ViTTrainer(model: fresh, loader: loader, settings: fineTuning)
            .train(checkpoint: directory.path("fresh.safetensors"), resume: false) { _ in }
        let untrained = try Evaluation.accuracy(fresh, loader: loader)
        #expect(tuned >= 0.9 && untrained < 0.6, "fine-tuned \(tuned), fresh \(untrained)")
    }

    @Test func resumingWithOtherSettingsIsRefused() throws {
        let source = QuadrantImages(count: 32)
        let model = tinyViT(seed: 1)
        let loader = BatchLoader(source: source, preprocessing: model.config.preprocessing)
        let directory = try TemporaryDirectory()
        let checkpoint = directory.path("other.safetensors")
        try ViTTrainer(model: model, loader: loader, settings: settings(epochs: 1)).train(checkpoint: checkpoint, resume: false) { _ in }
        #expect(throws: FileError.self) {
            try ViTTrainer(model: tinyViT(seed: 1), loader: loader, settings: settings(epochs: 2)).train(checkpoint: checkpoint,
                                                                                                       resume: true) { _ in }
        }
        // The same settings with other augmentation are another run too.
        let mirrored = directory.path("mirrored.safetensors")
        let augmented = { (mirror: Bool) in
            BatchLoader(source: source, preprocessing: model.config.preprocessing, augmentShift: 1, augmentMirror: mirror)
        }
        try ViTTrainer(model: tinyViT(seed: 1), loader: augmented(true), settings: settings(epochs: 1))
            .train(checkpoint: mirrored, resume: false) { _ in }
        #expect(throws: FileError.self) {
            try ViTTrainer(model: tinyViT(seed: 1), loader: augmented(false), settings: settings(epochs: 1))
                .train(checkpoint: mirrored, resume: true) { _ in }
        }
    }

    @Test func scorerLearnsToPredictGradCAM() throws {
        let source = QuadrantImages(count: 96)
        let model = tinyViT(seed: 2)
        let loader = BatchLoader(source: source, preprocessing: model.config.preprocessing)
        let directory = try TemporaryDirectory()
        try ViTTrainer(model: model, loader: loader, settings: settings(epochs: 6)).train(checkpoint: directory.path("s.safetensors"),
                                                                                        resume: false) { _ in }
        let folder = try directory.folder("model")
        try ModelWriter.write(model, to: folder)
        let loaded = try ViTModel.load(folder)
        var settings = ScorerTrainingSettings(layer: 1, hiddenDimension: 16)
        settings.epochs = 30
        settings.batchSize = 16
        settings.validationFraction = 0.25
        let trainer = ScorerTrainer(model: loaded, settings: settings)
        let (features, targets) = try trainer.collectTargets(loader: loader, indices: Array(0..<96))
        #expect(features.shape == [96, 16, 16] && targets.shape == [96, 16])
        var losses: [Double] = []
        let (scorer, quality) = trainer.fit(features: features, targets: targets) { losses.append($1) }
        #expect(losses.last! < losses.first!)
        #expect(quality.topHalfOverlap > 0.6, "overlap \(quality.topHalfOverlap)")
        try loaded.saveScorer(scorer)
        let reloaded = try ViTModel.load(folder)
        #expect(reloaded.scorer?.config == scorer.config)
        #expect(reloaded.scorer?.parameters["fc1.weight"]?.array == scorer.parameters["fc1.weight"]?.array)
    }
}
