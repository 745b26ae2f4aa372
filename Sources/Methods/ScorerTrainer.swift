import Autodiff
import Formats
import Kernels
import Models

/// Hyper-parameters of `glimpse train-scorer`.
public struct ScorerTrainingSettings: Sendable {
    /// Tokens are scored (and pruned) after this many blocks.
    public var layer: Int
    public var hiddenDimension: Int
    public var epochs = 12
    public var batchSize = 64
    public var learningRate = 2e-3
    public var weightDecay = 0.01
    /// Share of the collected images held out to report generalisation.
    public var validationFraction = 0.1
    public var seed: UInt64 = 0

    public init(layer: Int, hiddenDimension: Int) {
        self.layer = layer
        self.hiddenDimension = hiddenDimension
    }
}

/// How well a Scorer predicts Grad-CAM on held-out images.
public struct ScorerQuality: Sendable {
    public let meanSquaredError: Double
    /// Mean share of Grad-CAM's top half of tokens that the Scorer's top
    /// half also holds (0.5 is chance).
    public let topHalfOverlap: Double
}

/// Fits a Scorer to the frozen backbone's Grad-CAM maps (SPEC §1.1).
public final class ScorerTrainer {
    public let model: ViTModel
    public let settings: ScorerTrainingSettings

    public init(model: ViTModel, settings: ScorerTrainingSettings) {
        self.model = model
        self.settings = settings
    }

    /// Tokens after `layer` blocks (patch rows only) and Grad-CAM of the
    /// top-1 class for every image: [N, P, D] and [N, P].
    public func collectTargets(loader: BatchLoader, indices: [Int], batchSize: Int = 64,
                               progress: (Double) -> Void = { _ in }) throws -> (features: Tensor, targets: Tensor) {
        let config = model.config
        let patches = config.patchCount, width = config.embedDimension
        let features = Tensor(uninitialized: [indices.count, patches, width])
        let targets = Tensor(uninitialized: [indices.count, patches])
        var generator = SeededGenerator(seed: settings.seed)
        for start in stride(from: 0, to: indices.count, by: batchSize) {
            let batch = Array(indices[start..<min(indices.count, start + batchSize)])
            let (images, _) = try loader.batch(batch, augment: false, generator: &generator)
            let pass = DensePass.run(model.transformer, images: images,
                                     options: DensePassOptions(featuresAfterBlocks: settings.layer, gradcam: true))
            let tokens = pass.features!
            for item in 0..<batch.count {
                // Drop the prefix rows: the Scorer sees patch tokens only.
                (features.pointer + (start + item) * patches * width)
                    .update(from: tokens.pointer + (item * config.tokenCount + config.prefixTokenCount) * width, count: patches * width)
                pass.gradcam[item].withUnsafeBufferPointer {
                    (targets.pointer + (start + item) * patches).update(from: $0.baseAddress!, count: patches)
                }
            }
            progress(Double(min(indices.count, start + batchSize)) / Double(indices.count))
        }
        return (features, targets)
    }

    /// Trains on the collected pairs, from fresh weights or from `start`
    /// (whose settings must match); returns the Scorer and its quality on the
    /// held-out share.
    public func fit(features: Tensor, targets: Tensor, startingFrom start: Scorer? = nil,
                    progress: (Int, Double) -> Void = { _, _ in }) -> (Scorer, ScorerQuality) {
        let (count, patches, width) = (features.shape[0], features.shape[1], features.shape[2])
        let config = ScorerConfig(layer: settings.layer, inputDimension: width, hiddenDimension: settings.hiddenDimension)
        let scorer = start ?? Scorer(config: config, parameters: Scorer.initialParameters(config, seed: settings.seed))
        precondition(scorer.config == config, "starting Scorer \(scorer.config) for \(config)")
        let validation = max(1, Int(Double(count) * settings.validationFraction))
        let training = max(1, count - validation)
        let stepsPerEpoch = max(1, training / settings.batchSize)
        let schedule = WarmupCosineSchedule(peak: settings.learningRate, floor: settings.learningRate / 100,
                                            warmupSteps: stepsPerEpoch / 2, totalSteps: stepsPerEpoch * settings.epochs)
        var optimiser = AdamWState()
        var step = 0
        for epoch in 0..<settings.epochs {
            let order = seededPermutation(count: training, seed: settings.seed &+ UInt64(epoch))
            var epochLoss = 0.0
            for batchStart in stride(from: 0, to: stepsPerEpoch * settings.batchSize, by: settings.batchSize) {
                let rows = Array(order[batchStart..<min(training, batchStart + settings.batchSize)])
                let (inputs, expected) = Self.gather(features, targets, rows: rows, patches: patches, width: width)
                scorer.parameters.beginTrainingStep()
                let loss = meanSquaredError(scorer.scores(Variable(inputs)), target: expected)
                loss.backward()
                optimiser.step(scorer.parameters, gradients: scorer.parameters.endTrainingStep(),
                               learningRate: schedule.rate(at: step), weightDecay: settings.weightDecay)
                epochLoss += Double(loss.value[flat: 0])
                step += 1
            }
            progress(epoch + 1, epochLoss / Double(stepsPerEpoch))
        }
        return (scorer, quality(scorer, features, targets, rows: Array(training..<count), patches: patches, width: width))
    }

    private func quality(_ scorer: Scorer, _ features: Tensor, _ targets: Tensor, rows: [Int], patches: Int, width: Int) -> ScorerQuality {
        guard !rows.isEmpty else { return ScorerQuality(meanSquaredError: 0, topHalfOverlap: 0) }
        let (inputs, expected) = Self.gather(features, targets, rows: rows, patches: patches, width: width)
        let predicted = scorer.scores(Variable(inputs)).value
        let error = Loss.meanSquaredError(prediction: predicted.pointer, target: expected.pointer, count: expected.count,
                                          predictionGradient: nil)
        var overlap = 0.0
        for item in 0..<rows.count {
            let range = (item * patches)..<((item + 1) * patches)
            let truth = Set(TokenPruning.select(scores: Array(expected.array[range]), budget: .keepRate(0.5)))
            let guess = TokenPruning.select(scores: Array(predicted.array[range]), budget: .keepRate(0.5))
            overlap += Double(guess.filter(truth.contains).count) / Double(max(truth.count, 1))
        }
        return ScorerQuality(meanSquaredError: Double(error), topHalfOverlap: overlap / Double(rows.count))
    }

    /// Copies the chosen images' rows into a batch.
    private static func gather(_ features: Tensor, _ targets: Tensor, rows: [Int], patches: Int, width: Int) -> (Tensor, Tensor) {
        let inputs = Tensor(uninitialized: [rows.count, patches, width])
        let expected = Tensor(uninitialized: [rows.count, patches])
        Rows.gather(features.pointer, width: patches * width, indices: rows, into: inputs.pointer)
        Rows.gather(targets.pointer, width: patches, indices: rows, into: expected.pointer)
        return (inputs, expected)
    }
}

