import Autodiff
import Kernels
import Models

/// Hyper-parameters of `glimpse train cnn`.
public struct ConvNetTrainingSettings: Sendable {
    public var epochs = 4
    public var batchSize = 64
    public var learningRate = 2e-3
    public var minimumLearningRate = 1e-5
    public var weightDecay = 0.05
    public var warmupEpochs = 0.25
    public var labelSmoothing: Float = 0.1
    public var seed: UInt64 = 0
    /// Images per split to use (nil: all).
    public var limit: Int?

    public init() {}
}

/// Trains a ConvNet with AdamW, warm-up + cosine and augmentation. Runs
/// take minutes, so there are no checkpoints.
public final class ConvNetTrainer {
    public let model: ConvNet
    public let loader: BatchLoader
    public let settings: ConvNetTrainingSettings
    private var optimiser = AdamWState()

    public init(model: ConvNet, loader: BatchLoader, settings: ConvNetTrainingSettings) {
        self.model = model
        self.loader = loader
        self.settings = settings
    }

    public func train(progress: (TrainingProgress) -> Void) throws {
        let loop = TrainingLoop(loader: loader, sampleCount: min(loader.source.count, settings.limit ?? Int.max),
                                batchSize: settings.batchSize, epochs: settings.epochs, warmupEpochs: settings.warmupEpochs,
                                peakRate: settings.learningRate, floorRate: settings.minimumLearningRate, seed: settings.seed)
        try loop.run(from: 0, step: { images, labels, rate, _, _ in
            trainingStep(images: images, labels: labels, learningRate: rate)
        }, finished: { _ in }, progress: progress)
    }

    /// Forward with batch statistics, backward and AdamW; returns loss and hits.
    func trainingStep(images: Tensor, labels: [Int], learningRate: Double) -> (Float, Int) {
        let parameters = model.parameters
        parameters.beginTrainingStep()
        let logits = model.trainingLogits(Variable(images))
        let loss = crossEntropy(logits, labels: labels, smoothing: settings.labelSmoothing)
        loss.backward()
        optimiser.step(parameters, gradients: parameters.endTrainingStep(), learningRate: learningRate,
                       weightDecay: settings.weightDecay)
        let predictions = DensePass.topClasses(logits.value)
        return (loss.value[flat: 0], zip(predictions, labels).filter { $0 == $1 }.count)
    }
}
