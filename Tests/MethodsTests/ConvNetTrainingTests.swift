import Autodiff
import Formats
import Foundation
import Kernels
import Methods
import Models
import TestSupport
import Testing

/// QuadrantImages relabelled: the class is the quadrant after the bright one.
struct NextQuadrantImages: LabelledImageSource {
    let count: Int
    var classNames: [String] { QuadrantImages(count: 0).classNames }
    func image(at index: Int) throws -> Tensor { try QuadrantImages(count: count).image(at: index) }
    func label(at index: Int) -> Int { (index + 1) % 4 }
}

func tinyConvNet(seed: UInt64, momentum: Float = 0.1) -> ConvNet {
    var config = ConvNetConfig(imageSize: 8, inChannels: 1, widths: [4, 8], classes: 4, labels: QuadrantImages(count: 0).classNames,
                               preprocessing: tinyViT(seed: 0).config.preprocessing)
    config.batchNormMomentum = momentum
    return ConvNet(config: config, parameters: ConvNet.initialParameters(config, seed: seed))
}

@Suite struct ConvNetTrainingTests {
    func settings(epochs: Int) -> TrainingSettings {
        var settings = TrainingSettings()
        settings.epochs = epochs
        settings.batchSize = 16
        settings.learningRate = 1e-2
        return settings
    }

    /// Trains a ConvNet on `source`; returns it with its accuracy before and after.
    func trained(on source: any LabelledImageSource, epochs: Int) throws -> (ConvNet, before: Double, after: Double) {
        let model = tinyConvNet(seed: 3)
        let loader = BatchLoader(source: source, preprocessing: model.preprocessing)
        let before = try Evaluation.accuracy(model, loader: loader)
        try ConvNetTrainer(model: model, loader: loader, settings: settings(epochs: epochs)).train { _ in }
        return (model, before, try Evaluation.accuracy(model, loader: loader))
    }

    @Test func trainingLearnsAndMovesRunningStatistics() throws {
        let (model, before, after) = try trained(on: QuadrantImages(count: 64), epochs: 20)
        #expect(after >= 0.9 && after > before, "accuracy \(before) → \(after)")
        #expect(model.parameters["stages.0.bn.running_mean"]!.array.contains { abs($0) > 1e-3 })
        #expect(model.parameters["stages.1.bn.running_var"]!.array.contains { abs($0 - 1) > 1e-3 })
    }

    /// With momentum 1 the running statistics become the batch's own, so the
    /// inference forward (batch norm folded into the convolutions) must give
    /// the training forward's logits, up to the unbiased-variance factor.
    @Test func foldedInferenceMatchesBatchStatistics() throws {
        let model = tinyConvNet(seed: 5, momentum: 1)
        var generator = SeededGenerator(seed: 7)
        let (images, _) = try BatchLoader(source: QuadrantImages(count: 32), preprocessing: model.preprocessing)
            .batch(Array(0..<32), augment: false, generator: &generator)
        let training = model.trainingLogits(Variable(images)).value.array
        let inference = model.logits(Variable(images)).value.array
        #expect(maxAbsoluteError(inference, training) < 2e-2 * (training.map(abs).max() ?? 1), "\(inference.prefix(4)) vs \(training.prefix(4))")
    }

    @Test func folderRoundTrip() throws {
        let (model, _, _) = try trained(on: QuadrantImages(count: 32), epochs: 2)
        let directory = try TemporaryDirectory()
        let folder = try directory.folder("cnn")
        try ModelWriter.write(model, to: folder)
        let loaded = try ConvNet.load(folder)
        #expect(loaded.config == model.config)
        var generator = SeededGenerator(seed: 1)
        let (images, _) = try BatchLoader(source: QuadrantImages(count: 8), preprocessing: model.preprocessing)
            .batch(Array(0..<8), augment: false, generator: &generator)
        #expect(loaded.logits(Variable(images)).value.array == model.logits(Variable(images)).value.array)
        #expect(throws: FileError.self) { try ViTModel.load(folder) }
    }

    /// A teacher that learned the next quadrant pulls a student trained
    /// only on its labels (weight 1) away from the true ones.
    @Test func distillationFollowsTheTeacher() throws {
        let (teacher, _, teacherAccuracy) = try trained(on: NextQuadrantImages(count: 64), epochs: 20)
        #expect(teacherAccuracy >= 0.9)
        let truth = QuadrantImages(count: 64)
        var settings = ViTTrainingSettings()
        settings.epochs = 30
        settings.batchSize = 16
        settings.learningRate = 3e-3
        settings.warmupEpochs = 0.5
        settings.tokenDropProbability = 0
        settings.distillationWeight = 1
        let student = tinyViT(seed: 1)
        let loader = BatchLoader(source: truth, preprocessing: student.config.preprocessing)
        let directory = try TemporaryDirectory()
        try ViTTrainer(model: student, loader: loader, settings: settings, teacher: teacher)
            .train(checkpoint: directory.path("distilled.safetensors"), resume: false) { _ in }
        let followed = try Evaluation.accuracy(student, loader: BatchLoader(source: NextQuadrantImages(count: 64),
                                                                            preprocessing: student.config.preprocessing))
        #expect(followed >= 0.9, "agreement with the teacher \(followed)")
        #expect(try Evaluation.accuracy(student, loader: loader) <= 0.1)
    }
}
