import ArgumentParser
import Formats
import Foundation
import Kernels
import Methods
import Models

extension TokenDropGuide: ExpressibleByArgument {}
extension GlobalPool: ExpressibleByArgument {}
extension AttentionInitialisation: ExpressibleByArgument {}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the project's models.",
        subcommands: [TrainViT.self, TrainCNN.self])
}

/// Options both training commands take, and what follows from them.
struct TrainingOptions: ParsableArguments {
    @Option(help: "Data set: fashion-mnist, or a folder of class sub-folders of images.")
    var data: String = "fashion-mnist"

    @Option(help: "Output model folder.")
    var out: String

    @Option(help: "Input image side in pixels.") var imageSize = 28
    @Option(help: "Batch size.") var batchSize = 64
    @Option(help: "Peak learning rate (AdamW).") var learningRate = 2e-3
    @Option(help: "Label smoothing.") var labelSmoothing: Float = 0.1
    @Option(help: "AdamW weight decay.") var weightDecay = 0.05
    @Option(help: "Random shift in pixels (with mirroring unless --no-augment-mirror); 0 turns augmentation off.") var augmentShift = 1
    @Flag(inversion: .prefixedNo, help: "Mirror half the augmented images left to right.") var augmentMirror = true
    @Option(help: "Training images to use (default: all).") var limit: Int?
    @Option(help: "Seed for initialisation, shuffling and augmentation.") var seed: UInt64 = 0

    var channels: Int { data == "fashion-mnist" ? 1 : 3 }

    /// Fashion-MNIST's pixel statistics; ImageNet's for image folders.
    var preprocessing: Preprocessing {
        let grey = channels == 1
        return Preprocessing(inputSize: [channels, imageSize, imageSize], cropFraction: 1, interpolation: .bicubic,
                             mean: grey ? [0.2860] : [0.485, 0.456, 0.406], std: grey ? [0.3530] : [0.229, 0.224, 0.225])
    }

    func openSplits() throws -> (train: any LabelledImageSource, test: any LabelledImageSource) {
        (try DataSets.open(data, split: .train), try DataSets.open(data, split: .test))
    }

    /// The trainer settings these options give, with the command's own schedule.
    func settings(epochs: Int, warmupEpochs: Double) -> TrainingSettings {
        var settings = TrainingSettings()
        settings.epochs = epochs
        settings.warmupEpochs = warmupEpochs
        settings.batchSize = batchSize
        settings.learningRate = learningRate
        settings.labelSmoothing = labelSmoothing
        settings.weightDecay = weightDecay
        settings.limit = limit
        settings.seed = seed
        return settings
    }

    /// Runs `body` with a reporter that draws the training progress bar;
    /// returns the minutes it took.
    func timedWithProgressBar(_ body: ((TrainingProgress) -> Void) throws -> Void) throws -> Double {
        let clock = Stopwatch()
        let bar = ProgressBar(title: "train")
        try body { progress in
            bar.update(fraction: Double(progress.step) / Double(progress.totalSteps),
                       detail: String(format: "epoch %d/%d  loss %.3f  acc %.1f%%  lr %.2e", min(progress.epoch + 1, progress.epochs),
                                      progress.epochs, progress.loss, progress.accuracy * 100, progress.learningRate),
                       secondsRemaining: progress.secondsRemaining)
        }
        bar.finish()
        return clock.milliseconds / 60000
    }

    /// Dense top-1 accuracy on the test split.
    func testAccuracy(_ model: any ImageClassifier, test: any LabelledImageSource) throws -> Double {
        try Evaluation.accuracy(model, loader: BatchLoader(source: test, preprocessing: model.preprocessing))
    }

    func reportWritten(accuracy: Double, testImages: Int, minutes: Double) {
        print(String(format: "wrote %@: test accuracy %.2f%% on %d images, %.1f min", out, accuracy * 100, testImages, minutes))
    }
}

struct TrainViT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vit",
        abstract: "Train a ViT from scratch, or fine-tune one (--from), and write it as a model folder.")

    @OptionGroup var common: TrainingOptions
    @Option(help: "Output channels of 3×3 convolutions (each followed by GELU) before the patch embedding, comma-separated; empty for none. Models with a stem are Glimpse's own: timm cannot load them.")
    var stemWidths = ""
    @Option(help: "Patch side in pixels.") var patchSize = 2
    @Option(help: "Width of a hidden layer (with GELU) inside the patch embedding, so that each token's own pixels shape its features non-linearly; 0 for timm's linear embedding. Models with one are Glimpse's own: timm cannot load them.")
    var patchHidden = 0
    @Option(help: "Register tokens after CLS (timm `reg_tokens`): learned tokens where attention can keep global state instead of in background patches. Pruning always keeps them.")
    var registers = 0
    @Option(help: "Token width.") var embedDim = 64
    @Option(help: "Number of blocks.") var depth = 6
    @Option(help: "Attention heads.") var heads = 2
    @Option(help: "MLP hidden width as a multiple of the token width.") var mlpRatio = 4.0
    @Option(help: "What the head reads: token (the CLS token) or avg (the mean of the patch tokens).")
    var globalPool: GlobalPool = .token
    @Option(help: "How fresh attention weights start: timm (truncated normal) or mimetic (W_qᵀW_k near the identity, W_proj·W_v near minus it, so attention starts local).")
    var attentionInit: AttentionInitialisation = .timm
    @Option(help: "Epochs.") var epochs = 14
    @Option(help: "Warm-up length in epochs.") var warmupEpochs = 0.5
    @Option(help: "Write the mean of the weights (and the Scorer's) at the ends of the last N epochs; 1 writes the final weights.")
    var averageEpochs = 1
    @Option(help: "Block after which dropping steps cut and the Scorer trained alongside reads (default: a quarter of the depth; with --from, where the model's Scorer reads).")
    var scorerLayer: Int?
    @Option(help: "Share of steps that drop tokens after the Scorer's block (--scorer-layer).") var tokenDrop = 0.5
    @Option(help: "Which tokens a dropping step keeps: scorer (a Scorer trained alongside on Grad-CAM), gradcam or random.")
    var tokenDropGuide: TokenDropGuide = .scorer
    @Option(help: "Lowest and highest keep rate a dropping step draws from, as LOW,HIGH.") var tokenDropKeep = "0.15,0.5"
    @Option(help: "With the scorer guide, a dropping step whose index is a multiple of N also computes Grad-CAM and takes one Scorer step; the others only score. Smaller N trains the Scorer more, at the cost of a Grad-CAM pass each time.")
    var scorerEvery = 4
    @Option(help: "A folder written by `glimpse train cnn` whose top class on each training image is a second target (DeiT's hard distillation).")
    var teacher: String?
    @Option(help: "Share of the loss that follows the teacher.") var distillationWeight: Float = 0.5
    @Option(help: "Fine-tune this model folder (or embedded model) and its Scorer instead of starting from fresh weights; its config.json replaces the architecture options.")
    var from: String?
    @Flag(help: "Continue from the checkpoint in the output folder.") var resume = false

    func validate() throws {
        let imageSize = common.imageSize
        if imageSize < 1 || patchSize < 1 || imageSize % patchSize != 0 { throw ValidationError("--patch-size must divide --image-size") }
        if embedDim % heads != 0 { throw ValidationError("--heads must divide --embed-dim") }
        if patchHidden < 0 { throw ValidationError("--patch-hidden must be 0 or more") }
        if registers < 0 { throw ValidationError("--registers must be 0 or more") }
        if epochs < 1 || common.batchSize < 1 || depth < 2 { throw ValidationError("--epochs, --batch-size must be ≥ 1 and --depth ≥ 2") }
        if from != nil && attentionInit != .timm { throw ValidationError("--attention-init applies to fresh weights, not to --from") }
        if scorerEvery < 1 { throw ValidationError("--scorer-every must be at least 1") }
        if !(1...epochs).contains(averageEpochs) { throw ValidationError("--average-epochs must be between 1 and --epochs") }
        _ = try tokenDropKeepRange()
        _ = try channelWidths(stemWidths, option: "--stem-widths", allowingNone: true)
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

    /// The teacher folder, checked to take the student's input and classes.
    func loadTeacher(classes: Int, preprocessing: Preprocessing) throws -> ConvNet? {
        try teacher.map { path in
            let loaded = try ConvNet.load(path)
            guard loaded.preprocessing == preprocessing, loaded.classCount == classes else {
                throw FileError(path: path, problem: "the teacher's input \(loaded.preprocessing.inputSize) and \(loaded.classCount) classes must match the student's \(preprocessing.inputSize) and \(classes) (same --image-size and data)")
            }
            return loaded
        }
    }

    func run() throws {
        let (train, test) = try common.openSplits()
        let out = common.out
        let start = try from.map { try ViTModel.load($0) }
        let model = try start.map { try fineTuned($0, classes: train.classNames) } ?? freshModel(labels: train.classNames)
        let config = model.config
        // A start's Scorer reading another block than --scorer-layer cannot guide dropping steps.
        let startScorer = start?.scorer.flatMap { scorerLayer == nil || $0.config.layer == scorerLayer ? $0 : nil }
        let layer = try config.chosenScorerLayer(scorerLayer, named: "--scorer-layer", existing: startScorer?.config.layer)
        let teacherModel = try loadTeacher(classes: config.classes, preprocessing: config.preprocessing)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var settings = ViTTrainingSettings()
        settings.common = common.settings(epochs: epochs, warmupEpochs: warmupEpochs)
        settings.tokenDropBlocks = layer
        settings.tokenDropProbability = tokenDrop
        settings.tokenDropGuide = tokenDropGuide
        settings.tokenDropKeep = try tokenDropKeepRange()
        settings.scorerUpdateInterval = scorerEvery
        settings.distillationWeight = distillationWeight
        settings.initialModel = start?.path
        settings.averagedEpochs = averageEpochs
        let loader = BatchLoader(source: train, preprocessing: config.preprocessing, augmentShift: common.augmentShift,
                                 augmentMirror: common.augmentMirror)
        let trainer = ViTTrainer(model: model, loader: loader, settings: settings, teacher: teacherModel, scorer: startScorer)
        let minutes = try common.timedWithProgressBar { report in
            try trainer.train(checkpoint: out + "/checkpoint.safetensors", resume: resume, progress: report)
        }
        let accuracy = try common.testAccuracy(model, test: test)
        try ModelWriter.write(model, to: out)
        // A fine-tuned model keeps its Scorer when no Scorer trained alongside.
        let written: (scorer: Scorer, origin: ModelCard.ScorerOrigin)? =
            if let joint = trainer.scorer { (joint, .trainedAlongside(layer: joint.config.layer)) }
            else if let kept = start?.scorer, let from { (kept, .keptFrom(folder: from, layer: kept.config.layer)) }
            else { nil }
        try written?.scorer.save(to: out + "/scorer.safetensors")
        let cardStart: ModelCard.Start? =
            if let from, let start { ModelCard.Start(reference: from, history: ModelCard.History(card: start.path + "/README.md")) }
            else { nil }
        try ModelCard.write(to: out, config: config, data: common.data, trainImages: settings.common.imageCount(of: train),
                            testAccuracy: accuracy, testImages: test.count, minutes: minutes,
                            scorer: written?.origin, teacher: teacher, startedFrom: cardStart)
        try? FileManager.default.removeItem(atPath: out + "/checkpoint.safetensors")
        common.reportWritten(accuracy: accuracy, testImages: test.count, minutes: minutes)
    }
}

extension TrainViT {
    /// A ViT with fresh weights, shaped by the architecture options.
    func freshModel(labels: [String]) throws -> VisionTransformer {
        let imageSize = common.imageSize
        let stem = try channelWidths(stemWidths, option: "--stem-widths", allowingNone: true)
        let hidden = patchHidden > 0 ? "h\(patchHidden)" : ""
        let registered = registers > 0 ? "_reg\(registers)" : ""
        var config = ViTConfig(architecture: "glimpse_vit_\(stem.isEmpty ? "" : "stem_")p\(patchSize)\(hidden)\(registered)_\(imageSize)", imageHeight: imageSize, imageWidth: imageSize,
                               patchSize: patchSize, embedDimension: embedDim, depth: depth, heads: heads, mlpRatio: mlpRatio,
                               inChannels: common.channels, classes: labels.count, labels: labels,
                               preprocessing: common.preprocessing)
        config.globalPool = globalPool
        config.stemWidths = stem
        config.patchHiddenWidth = patchHidden
        config.registerTokens = registers
        if let problem = config.inconsistency { throw ValidationError(problem) }
        return VisionTransformer(config: config, parameters: VisionTransformer.initialParameters(config, seed: common.seed, attention: attentionInit))
    }

    /// The loaded model's ViT, once it is known to take the data set's
    /// images and classes.
    func fineTuned(_ start: ViTModel, classes: [String]) throws -> VisionTransformer {
        let config = start.config
        guard config.inChannels == common.channels, config.classes == classes.count else {
            throw FileError(path: start.path, problem: "the model takes \(config.inChannels)-channel images and has \(config.classes) classes; \(common.data) has \(common.channels)-channel images and \(classes.count) classes")
        }
        return start.transformer
    }
}

/// Channel counts given as comma-separated positive integers; an empty
/// text means none where `allowingNone`.
func channelWidths(_ text: String, option: String, allowingNone: Bool) throws -> [Int] {
    if allowingNone && text.trimmingCharacters(in: .whitespaces).isEmpty { return [] }
    let values = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard values.allSatisfy({ ($0 ?? 0) > 0 }) else {
        throw ValidationError("\(option) must be positive integers separated by commas")
    }
    return values.map { $0! }
}

struct TrainCNN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cnn",
        abstract: "Train a small convolutional classifier, a teacher for `train vit --teacher`.")

    @OptionGroup var common: TrainingOptions
    @Option(help: "Output channels of each stage (3×3 conv, batch norm, ReLU; 2×2 max pool between stages), comma-separated.")
    var widths = "32,64,128,256"
    @Option(help: "Epochs.") var epochs = 4
    @Option(help: "Warm-up length in epochs.") var warmupEpochs = 0.25

    func validate() throws {
        if epochs < 1 || common.batchSize < 2 { throw ValidationError("--epochs must be ≥ 1 and --batch-size ≥ 2") }
        _ = try channelWidths(widths, option: "--widths", allowingNone: false)
    }

    func run() throws {
        let (train, test) = try common.openSplits()
        let config = ConvNetConfig(imageSize: common.imageSize, inChannels: common.channels,
                                   widths: try channelWidths(widths, option: "--widths", allowingNone: false),
                                   classes: train.classNames.count, labels: train.classNames, preprocessing: common.preprocessing)
        if let problem = config.inconsistency { throw ValidationError(problem) }
        try FileManager.default.createDirectory(atPath: common.out, withIntermediateDirectories: true)
        let model = ConvNet(config: config, parameters: ConvNet.initialParameters(config, seed: common.seed))
        let settings = common.settings(epochs: epochs, warmupEpochs: warmupEpochs)
        let loader = BatchLoader(source: train, preprocessing: common.preprocessing, augmentShift: common.augmentShift,
                                 augmentMirror: common.augmentMirror)
        let trainer = ConvNetTrainer(model: model, loader: loader, settings: settings)
        let minutes = try common.timedWithProgressBar { report in try trainer.train(progress: report) }
        let accuracy = try common.testAccuracy(model, test: test)
        try ModelWriter.write(model, to: common.out)
        try ModelCard.write(to: common.out, convNet: config, data: common.data, trainImages: settings.imageCount(of: train),
                            testAccuracy: accuracy, testImages: test.count, minutes: minutes)
        common.reportWritten(accuracy: accuracy, testImages: test.count, minutes: minutes)
    }
}
