import Autodiff
import Formats
import Foundation
import Kernels

/// The epoch and step loop both trainers share: a seeded permutation per
/// epoch, augmented batches, the warm-up + cosine rate, smoothed loss and
/// accuracy, and an ETA.
struct TrainingLoop {
    let loader: BatchLoader
    let settings: TrainingSettings

    var sampleCount: Int { settings.imageCount(of: loader.source) }
    var stepsPerEpoch: Int { max(1, sampleCount / settings.batchSize) }
    var totalSteps: Int { stepsPerEpoch * settings.epochs }

    /// Runs steps `startStep..<totalSteps`. `step` trains on one batch and
    /// returns its loss and hits; `finished(step)` runs after each one (the
    /// count of steps done so far), for checkpoints.
    func run(from startStep: Int,
             step: (_ images: Tensor, _ labels: [Int], _ rate: Double, _ index: Int, _ generator: inout SeededGenerator) -> (Float, Int),
             finished: (Int) throws -> Void,
             progress: (TrainingProgress) -> Void) throws {
        let schedule = WarmupCosineSchedule(peak: settings.learningRate, floor: settings.minimumLearningRate,
                                            warmupSteps: Int(settings.warmupEpochs * Double(stepsPerEpoch)), totalSteps: totalSteps)
        let (batchSize, seed) = (settings.batchSize, settings.seed)
        let clock = Stopwatch()
        var index = startStep
        var smoothedLoss = 0.0, smoothedAccuracy = 0.0
        while index < totalSteps {
            let epoch = index / stepsPerEpoch
            let order = seededPermutation(count: sampleCount, seed: seed &+ UInt64(epoch))
            let offset = (index % stepsPerEpoch) * batchSize
            // A generator per step keeps augmentation reproducible across resumes.
            var generator = SeededGenerator(seed: seed ^ (UInt64(index) &* 0x9E37_79B9))
            let (images, labels) = try loader.batch(Array(order[offset..<(offset + batchSize)]), augment: true,
                                                    generator: &generator)
            let rate = schedule.rate(at: index)
            let (loss, correct) = step(images, labels, rate, index, &generator)
            let weight = index == startStep ? 1.0 : 0.02
            smoothedLoss += weight * (Double(loss) - smoothedLoss)
            smoothedAccuracy += weight * (Double(correct) / Double(labels.count) - smoothedAccuracy)
            index += 1
            try finished(index)
            let perStep = clock.milliseconds / 1000 / Double(index - startStep)
            progress(TrainingProgress(epoch: index / stepsPerEpoch, epochs: settings.epochs, step: index, totalSteps: totalSteps,
                                      loss: smoothedLoss, accuracy: smoothedAccuracy, learningRate: rate,
                                      secondsRemaining: perStep * Double(totalSteps - index)))
        }
    }

    /// What a step returns to `run`: the loss value and how many of the
    /// batch's top classes match the labels.
    static func stepResult(loss: Variable, logits: Variable, labels: [Int]) -> (Float, Int) {
        (loss.value[flat: 0], zip(DensePass.topClasses(logits.value), labels).filter { $0 == $1 }.count)
    }
}
