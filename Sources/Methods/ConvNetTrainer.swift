import Autodiff
import Kernels
import Models

/// Trains a ConvNet with AdamW, warm-up + cosine and augmentation. Runs
/// take minutes, so there are no checkpoints.
public final class ConvNetTrainer {
    public let model: ConvNet
    public let loader: BatchLoader
    public let settings: TrainingSettings
    private var optimiser = AdamWState()

    public init(model: ConvNet, loader: BatchLoader, settings: TrainingSettings) {
        self.model = model
        self.loader = loader
        self.settings = settings
    }

    public func train(progress: (TrainingProgress) -> Void) throws {
        try TrainingLoop(loader: loader, settings: settings).run(from: 0, step: { images, labels, rate, _, _ in
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
        return TrainingLoop.stepResult(loss: loss, logits: logits, labels: labels)
    }
}
