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
        subcommands: [TrainViT.self])
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
    @Option(help: "Training images to use (default: all).") var limit: Int?
    @Option(help: "Seed for initialisation, shuffling and augmentation.") var seed: UInt64 = 0
    @Flag(help: "Continue from the checkpoint in the output folder.") var resume = false

    func validate() throws {
        if imageSize < 1 || patchSize < 1 || imageSize % patchSize != 0 { throw ValidationError("--patch-size must divide --image-size") }
        if embedDim % heads != 0 { throw ValidationError("--heads must divide --embed-dim") }
        if epochs < 1 || batchSize < 1 || depth < 2 { throw ValidationError("--epochs, --batch-size must be ≥ 1 and --depth ≥ 2") }
        _ = try tokenDropKeepRange()
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
        let train = try DataSets.open(data, split: .train)
        let test = try DataSets.open(data, split: .test)
        let channels = data == "fashion-mnist" ? 1 : 3
        // Fashion-MNIST's pixel statistics; ImageNet's for image folders.
        let preprocessing = Preprocessing(
            inputSize: [channels, imageSize, imageSize], cropFraction: 1, interpolation: .bicubic,
            mean: channels == 1 ? [0.2860] : [0.485, 0.456, 0.406], std: channels == 1 ? [0.3530] : [0.229, 0.224, 0.225])
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
        let trainer = ViTTrainer(model: model, loader: BatchLoader(source: train, preprocessing: preprocessing, augmentShift: augmentShift),
                                 settings: settings)
        let clock = Stopwatch()
        let bar = ProgressBar(title: "train")
        try trainer.train(checkpoint: out + "/checkpoint.safetensors", resume: resume) { progress in
            bar.update(fraction: Double(progress.step) / Double(progress.totalSteps),
                       detail: String(format: "epoch %d/%d  loss %.3f  acc %.1f%%  lr %.2e", min(progress.epoch + 1, progress.epochs),
                                      progress.epochs, progress.loss, progress.accuracy * 100, progress.learningRate),
                       secondsRemaining: progress.secondsRemaining)
        }
        bar.finish()
        let trainingMinutes = clock.milliseconds / 60000
        let evaluation = try Evaluation.accuracy(model, loader: BatchLoader(source: test, preprocessing: preprocessing))
        try ModelWriter.write(model, to: out)
        try trainer.scorer?.save(to: out + "/scorer.safetensors")
        try ModelCard.write(to: out, config: config, data: data,
                            trainImages: min(train.count, limit ?? train.count), testAccuracy: evaluation,
                            testImages: test.count, minutes: trainingMinutes,
                            jointScorerLayer: trainer.scorer?.config.layer)
        try? FileManager.default.removeItem(atPath: out + "/checkpoint.safetensors")
        print(String(format: "wrote %@: test accuracy %.2f%% on %d images, %.1f min", out, evaluation * 100, test.count, trainingMinutes))
    }
}
