import ArgumentParser
import Formats
import Foundation
import Methods
import Models

struct TrainScorer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-scorer",
        abstract: "Fit a Scorer to the model's Grad-CAM and store it in the model folder.")

    @Option(help: "Model folder or embedded model name (written into).")
    var model: String

    @Option(help: "Data set: fashion-mnist, or a folder of class sub-folders of images.")
    var data: String = "fashion-mnist"

    @Option(help: "Score and prune after this many blocks (default: a quarter of the depth).")
    var layer: Int?

    @Option(help: "Training images whose Grad-CAM is collected.")
    var limit: Int = 10000

    @Option(help: "Hidden width of the Scorer (default: the model width, at most 128).")
    var hidden: Int?

    @Option(help: "Epochs over the collected maps.")
    var epochs: Int = 12

    @Option(help: "Seed for the image choice and initialisation.")
    var seed: UInt64 = 0

    @Flag(help: "Start from fresh weights even when the folder already has a Scorer at this layer.")
    var fresh = false

    func validate() throws {
        if limit < 2 { throw ValidationError("--limit must be at least 2") }
        if epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let hidden, hidden < 2 { throw ValidationError("--hidden must be at least 2") }
    }

    func run() throws {
        let loaded = try ViTModel.load(model)
        // The backbone only computes Grad-CAM targets; the Scorer trains.
        loaded.transformer.parameters.prepareForInference()
        let config = loaded.config
        let chosenLayer = try config.chosenScorerLayer(layer, named: "--layer", existing: loaded.scorer?.config.layer)
        let source = try DataSets.open(data, split: .train)
        // A Scorer already in the folder at this layer (one trained alongside
        // the backbone, say) is refined rather than replaced.
        let start = fresh ? nil : loaded.scorer.flatMap { existing in
            existing.config.layer == chosenLayer && (hidden == nil || hidden == existing.config.hiddenDimension) ? existing : nil
        }
        var settings = ScorerTrainingSettings(layer: chosenLayer,
                                              hiddenDimension: start?.config.hiddenDimension ?? hidden ?? min(128, config.embedDimension))
        settings.epochs = epochs
        settings.seed = seed
        let trainer = ScorerTrainer(model: loaded, settings: settings)
        let indices = Array(source.shuffledIndices(seed: seed).prefix(limit))
        let clock = Stopwatch()
        let collecting = ProgressBar(title: "grad-cam")
        let (features, targets) = try trainer.collectTargets(
            loader: BatchLoader(source: source, preprocessing: config.preprocessing), indices: indices) { fraction in
            collecting.update(fraction: fraction, detail: "\(Int(fraction * Double(indices.count)))/\(indices.count) images",
                              secondsRemaining: clock.milliseconds / 1000 * (1 - fraction) / max(fraction, 1e-9))
        }
        collecting.finish()
        let fitting = ProgressBar(title: "fit")
        let fitClock = Stopwatch()
        let (scorer, quality) = trainer.fit(features: features, targets: targets, startingFrom: start) { epoch, loss in
            let fraction = Double(epoch) / Double(epochs)
            fitting.update(fraction: fraction, detail: String(format: "epoch %d/%d  mse %.4f", epoch, epochs, loss),
                           secondsRemaining: fitClock.milliseconds / 1000 * (1 - fraction) / max(fraction, 1e-9))
        }
        fitting.finish()
        try loaded.saveScorer(scorer)
        let minutes = clock.milliseconds / 60000
        try ModelCard.noteScorer(in: loaded.path, layer: chosenLayer, images: indices.count, quality: quality, minutes: minutes)
        print(String(format: "wrote %@/scorer.safetensors: layer %d, held-out MSE %.4f, top-half overlap with Grad-CAM %.1f%%, %.1f min",
                     loaded.path, chosenLayer, quality.meanSquaredError, quality.topHalfOverlap * 100, minutes))
    }
}
