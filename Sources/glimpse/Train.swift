import ArgumentParser
import Formats
import Foundation
import Kernels
import Methods
import Models

extension TokenDropGuide: ExpressibleByArgument {}
extension GlobalPool: ExpressibleByArgument {}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the project's models.",
        subcommands: [TrainViT.self, TrainCNN.self])
}

struct TrainViT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vit",
        abstract: "Train a ViT from scratch and write it as a model folder.")

    @Option(help: "Data set: fashion-mnist, or a folder of class sub-folders of images.")
    var data: String = "fashion-mnist"

    @Option(help: "Output model folder.")
    var out: String

    @Option(help: "Input image side in pixels.") var imageSize = 28
    @Option(help: "Patch side in pixels.") var patchSize = 2
    @Option(help: "Token width.") var embedDim = 64
    @Option(help: "Number of blocks.") var depth = 6
    @Option(help: "Attention heads.") var heads = 2
    @Option(help: "MLP hidden width as a multiple of the token width.") var mlpRatio = 4.0
    @Option(help: "What the head reads: token (the CLS token) or avg (the mean of the patch tokens).")
    var globalPool: GlobalPool = .token
    @Option(help: "Epochs.") var epochs = 12
    @Option(help: "Batch size.") var batchSize = 64
    @Option(help: "Peak learning rate (AdamW).") var learningRate = 2e-3
    @Option(help: "Warm-up length in epochs.") var warmupEpochs = 0.5
    @Option(help: "Label smoothing.") var labelSmoothing: Float = 0.1
    @Option(help: "AdamW weight decay.") var weightDecay = 0.05
    @Option(help: "Random shift in pixels (with mirroring); 0 turns augmentation off.") var augmentShift = 1
    @Option(help: "Share of steps that drop tokens after a quarter of the blocks.") var tokenDrop = 0.5
    @Option(help: "Which tokens a dropping step keeps: scorer (a Scorer trained alongside on Grad-CAM), gradcam or random.")
    var tokenDropGuide: TokenDropGuide = .scorer
    @Option(help: "Lowest and highest keep rate a dropping step draws from, as LOW,HIGH.") var tokenDropKeep = "0.15,0.5"
    @Option(help: "A folder written by `glimpse train cnn` whose top class on each training image is a second target (DeiT's hard distillation).")
    var teacher: String?
    @Option(help: "Share of the loss that follows the teacher.") var distillationWeight: Float = 0.5
    @Option(help: "Training images to use (default: all).") var limit: Int?
    @Option(help: "Seed for initialisation, shuffling and augmentation.") var seed: UInt64 = 0
    @Flag(help: "Continue from the checkpoint in the output folder.") var resume = false

    func validate() throws {
        if imageSize < 1 || patchSize < 1 || imageSize % patchSize != 0 { throw ValidationError("--patch-size must divide --image-size") }
        if embedDim % heads != 0 { throw ValidationError("--heads must divide --embed-dim") }
        if epochs < 1 || batchSize < 1 || depth < 2 { throw ValidationError("--epochs, --batch-size must be ≥ 1 and --depth ≥ 2") }
        _ = try tokenDropKeepRange()
        if !(0...1).contains(distillationWeight) { throw ValidationError("--distillation-weight must be in [0, 1]") }
    }

    func tokenDropKeepRange() throws -> ClosedRange<Double> {
        let bounds = tokenDropKeep.split(separator: ",", omittingEmptySubsequences: false)
            .map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard bounds.count == 2, let low = bounds[0], let high = bounds[1], low > 0, low <= high, high <= 1 else {
            throw ValidationError("--token-drop-keep must be LOW,HIGH with 0 < LOW ≤ HIGH ≤ 1")
        }
        return low...high
    }

    func run() throws {
        let (train, test) = (try DataSets.open(data, split: .train), try DataSets.open(data, split: .test))
        let channels = TrainingData.channels(data)
        let preprocessing = TrainingData.preprocessing(data, imageSize: imageSize)
        let teacherModel = try teacher.map { path in
            let loaded = try ConvNet.load(path)
            guard loaded.preprocessing == preprocessing, loaded.classCount == train.classNames.count else {
                throw FileError(path: path, problem: "the teacher's input \(loaded.preprocessing.inputSize) and \(loaded.classCount) classes must match the student's \(preprocessing.inputSize) and \(train.classNames.count) (same --image-size and data)")
            }
            return loaded
        }
        var config = ViTConfig(architecture: "glimpse_vit_p\(patchSize)_\(imageSize)", imageHeight: imageSize, imageWidth: imageSize,
                               patchSize: patchSize, embedDimension: embedDim, depth: depth, heads: heads, mlpRatio: mlpRatio,
                               inChannels: channels, classes: train.classNames.count, labels: train.classNames,
                               preprocessing: preprocessing)
        config.globalPool = globalPool
        if let problem = config.inconsistency { throw ValidationError(problem) }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let model = VisionTransformer(config: config, parameters: VisionTransformer.initialParameters(config, seed: seed))
        var settings = ViTTrainingSettings()
        settings.epochs = epochs
        settings.batchSize = batchSize
        settings.learningRate = learningRate
        settings.limit = limit
        settings.seed = seed
        settings.tokenDropBlocks = max(1, depth / 4)
        settings.warmupEpochs = warmupEpochs
        settings.labelSmoothing = labelSmoothing
        settings.weightDecay = weightDecay
        settings.tokenDropProbability = tokenDrop
        settings.tokenDropGuide = tokenDropGuide
        settings.tokenDropKeep = try tokenDropKeepRange()
        settings.distillationWeight = distillationWeight
        let trainer = ViTTrainer(model: model, loader: BatchLoader(source: train, preprocessing: preprocessing, augmentShift: augmentShift),
                                 settings: settings, teacher: teacherModel)
        let clock = Stopwatch()
        try TrainingData.withProgressBar { report in
            try trainer.train(checkpoint: out + "/checkpoint.safetensors", resume: resume, progress: report)
        }
        let trainingMinutes = clock.milliseconds / 60000
        let evaluation = try Evaluation.accuracy(model, loader: BatchLoader(source: test, preprocessing: preprocessing))
        try ModelWriter.write(model, to: out)
        try trainer.scorer?.save(to: out + "/scorer.safetensors")
        try ModelCard.write(to: out, config: config, data: data,
                            trainImages: min(train.count, limit ?? train.count), testAccuracy: evaluation,
                            testImages: test.count, minutes: trainingMinutes,
                            jointScorerLayer: trainer.scorer?.config.layer, teacher: teacher)
        try? FileManager.default.removeItem(atPath: out + "/checkpoint.safetensors")
        print(String(format: "wrote %@: test accuracy %.2f%% on %d images, %.1f min", out, evaluation * 100, test.count, trainingMinutes))
    }
}

struct TrainCNN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cnn",
        abstract: "Train a small convolutional classifier, a teacher for `train vit --teacher`.")

    @Option(help: "Data set: fashion-mnist, or a folder of class sub-folders of images.")
    var data: String = "fashion-mnist"

    @Option(help: "Output model folder.")
    var out: String

    @Option(help: "Input image side in pixels.") var imageSize = 28
    @Option(help: "Output channels of each stage (3×3 conv, batch norm, ReLU; 2×2 max pool between stages), comma-separated.")
    var widths = "32,64,128"
    @Option(help: "Epochs.") var epochs = 4
    @Option(help: "Batch size.") var batchSize = 64
    @Option(help: "Peak learning rate (AdamW).") var learningRate = 2e-3
    @Option(help: "Label smoothing.") var labelSmoothing: Float = 0.1
    @Option(help: "AdamW weight decay.") var weightDecay = 0.05
    @Option(help: "Random shift in pixels (with mirroring); 0 turns augmentation off.") var augmentShift = 1
    @Option(help: "Training images to use (default: all).") var limit: Int?
    @Option(help: "Seed for initialisation, shuffling and augmentation.") var seed: UInt64 = 0

    func validate() throws {
        if epochs < 1 || batchSize < 2 { throw ValidationError("--epochs must be ≥ 1 and --batch-size ≥ 2") }
        _ = try stageWidths()
    }

    func stageWidths() throws -> [Int] {
        let values = widths.split(separator: ",", omittingEmptySubsequences: false)
            .map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--widths must be positive integers separated by commas")
        }
        return values.map { $0! }
    }

    func run() throws {
        let (train, test) = (try DataSets.open(data, split: .train), try DataSets.open(data, split: .test))
        let preprocessing = TrainingData.preprocessing(data, imageSize: imageSize)
        let config = ConvNetConfig(imageSize: imageSize, inChannels: TrainingData.channels(data), widths: try stageWidths(),
                                   classes: train.classNames.count, labels: train.classNames, preprocessing: preprocessing)
        if let problem = config.inconsistency { throw ValidationError(problem) }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let model = ConvNet(config: config, parameters: ConvNet.initialParameters(config, seed: seed))
        var settings = ConvNetTrainingSettings()
        settings.epochs = epochs
        settings.batchSize = batchSize
        settings.learningRate = learningRate
        settings.labelSmoothing = labelSmoothing
        settings.weightDecay = weightDecay
        settings.limit = limit
        settings.seed = seed
        let trainer = ConvNetTrainer(model: model, loader: BatchLoader(source: train, preprocessing: preprocessing,
                                                                       augmentShift: augmentShift), settings: settings)
        let clock = Stopwatch()
        try TrainingData.withProgressBar { report in try trainer.train(progress: report) }
        let trainingMinutes = clock.milliseconds / 60000
        let evaluation = try Evaluation.accuracy(model, loader: BatchLoader(source: test, preprocessing: preprocessing))
        try ModelWriter.write(model, to: out)
        try ModelCard.write(to: out, convNet: config, data: data, trainImages: min(train.count, limit ?? train.count),
                            testAccuracy: evaluation, testImages: test.count, minutes: trainingMinutes)
        print(String(format: "wrote %@: test accuracy %.2f%% on %d images, %.1f min", out, evaluation * 100, test.count, trainingMinutes))
    }
}

/// What both training commands share: the data's channels and statistics,
/// and the progress bar.
enum TrainingData {
    static func channels(_ data: String) -> Int { data == "fashion-mnist" ? 1 : 3 }

    /// Fashion-MNIST's pixel statistics; ImageNet's for image folders.
    static func preprocessing(_ data: String, imageSize: Int) -> Preprocessing {
        let grey = channels(data) == 1
        return Preprocessing(inputSize: [channels(data), imageSize, imageSize], cropFraction: 1, interpolation: .bicubic,
                             mean: grey ? [0.2860] : [0.485, 0.456, 0.406], std: grey ? [0.3530] : [0.229, 0.224, 0.225])
    }

    /// Runs `body` with a reporter that draws the training progress bar.
    static func withProgressBar(_ body: ((TrainingProgress) -> Void) throws -> Void) throws {
        let bar = ProgressBar(title: "train")
        try body { progress in
            bar.update(fraction: Double(progress.step) / Double(progress.totalSteps),
                       detail: String(format: "epoch %d/%d  loss %.3f  acc %.1f%%  lr %.2e", min(progress.epoch + 1, progress.epochs),
                                      progress.epochs, progress.loss, progress.accuracy * 100, progress.learningRate),
                       secondsRemaining: progress.secondsRemaining)
        }
        bar.finish()
    }
}
