import Autodiff
import Formats
import Foundation
import Kernels
import Models

/// Hyper-parameters of `glimpse train vit`: the shared ones (read and
/// written as if they were its own) and the ViT's.
@dynamicMemberLookup
public struct ViTTrainingSettings: Sendable {
    public var common = TrainingSettings()
    public var gradientClip: Float = 1.0
    /// Share of steps that drop tokens after `tokenDropBlocks` blocks,
    /// keeping a rate drawn from `tokenDropKeep`, so that the backbone
    /// learns to classify from the subset pruning will leave it.
    public var tokenDropProbability = 0.5
    public var tokenDropKeep: ClosedRange<Double> = 0.15...0.5
    public var tokenDropBlocks = 2
    /// Which tokens a dropping step keeps.
    public var tokenDropGuide: TokenDropGuide = .gradcam
    /// With the Scorer guide, every this-many-th step that drops also
    /// computes Grad-CAM and takes one Scorer step; the others only score.
    public var scorerUpdateInterval = 4
    /// Share of the loss taken by cross-entropy against the teacher's top
    /// class (DeiT's hard distillation) when a teacher is given.
    public var distillationWeight: Float = 0.5
    /// The model folder whose weights the run started from (nil: fresh
    /// weights); a checkpoint resumes only the run it came from.
    public var initialModel: String?
    /// The written weights are the mean of those at the ends of this many
    /// last epochs (1: the final weights).
    public var averagedEpochs = 1

    public init() {}

    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<TrainingSettings, Value>) -> Value {
        get { common[keyPath: keyPath] }
        set { common[keyPath: keyPath] = newValue }
    }

    /// What a checkpoint must agree with to be resumed.
    var fingerprint: String {
        "epochs=\(common.epochs) batch=\(common.batchSize) lr=\(common.learningRate) wd=\(common.weightDecay) warmup=\(common.warmupEpochs) smoothing=\(common.labelSmoothing) seed=\(common.seed) limit=\(common.limit ?? -1) drop=\(tokenDropProbability)@\(tokenDropBlocks)/\(tokenDropGuide.rawValue)/\(tokenDropKeep)/\(scorerUpdateInterval)" + (initialModel.map { " from=\($0)" } ?? "")
            + (averagedEpochs > 1 ? " average=\(averagedEpochs)" : "")
    }
}

/// How a training step that drops tokens chooses the ones it keeps.
public enum TokenDropGuide: String, Sendable, CaseIterable {
    /// A uniformly random subset.
    case random
    /// The top of each image's Grad-CAM (for its true class) under the
    /// current weights.
    case gradcam
    /// The top of a Scorer trained alongside on each dropping step's
    /// Grad-CAM maps: the backbone learns from exactly the subsets
    /// Scorer pruning will leave it (DynamicViT-style joint training, with
    /// the seed's Grad-CAM supervision of the Scorer).
    case scorer
}

/// One progress report of a training run.
public struct TrainingProgress: Sendable {
    public let epoch: Int
    public let epochs: Int
    public let step: Int
    public let totalSteps: Int
    public let loss: Double
    public let accuracy: Double
    public let learningRate: Double
    public let secondsRemaining: Double
}

/// Trains a ViT from its current parameters with AdamW, warm-up + cosine,
/// augmentation and random token dropping; checkpoints so an interrupted
/// run resumes where it stopped.
public final class ViTTrainer {
    public let model: VisionTransformer
    public let loader: BatchLoader
    public let settings: ViTTrainingSettings
    private var optimiser = AdamWState(undecayed: ["pos_embed", "cls_token"])
    /// The Scorer trained alongside when dropping is Scorer-guided.
    public let scorer: Scorer?
    private var scorerOptimiser = AdamWState()
    private var backboneAverage: WeightAverage
    private var scorerAverage: WeightAverage

    /// A trained classifier whose top class on each augmented image is a
    /// second target (same preprocessing as the model).
    public let teacher: (any ImageClassifier)?

    /// How many shards each batch is split into (see `BatchShards`).
    public let shards: Int

    /// `scorer` continues an existing Scorer (it must read the tokens after
    /// `settings.tokenDropBlocks` blocks); without one a fresh Scorer starts.
    /// Without dropping steps no Scorer trains. `shards` defaults to one per
    /// worker.
    public init(model: VisionTransformer, loader: BatchLoader, settings: ViTTrainingSettings,
                teacher: (any ImageClassifier)? = nil, scorer existing: Scorer? = nil, shards: Int = Parallel.threads) {
        self.model = model
        self.loader = loader
        self.settings = settings
        self.teacher = teacher
        self.shards = shards
        backboneAverage = WeightAverage(snapshots: settings.averagedEpochs)
        scorerAverage = WeightAverage(snapshots: settings.averagedEpochs)
        let scorerGuided = settings.tokenDropGuide == .scorer && settings.tokenDropProbability > 0
        if scorerGuided, let existing {
            precondition(existing.config.layer == settings.tokenDropBlocks, "the Scorer reads another block than dropping steps")
            scorer = existing
        } else if scorerGuided {
            let config = ScorerConfig(layer: settings.tokenDropBlocks, inputDimension: model.config.embedDimension,
                                      hiddenDimension: min(128, model.config.embedDimension))
            scorer = Scorer(config: config, parameters: Scorer.initialParameters(config, seed: settings.seed &+ 1))
        } else {
            scorer = nil
        }
    }

    /// Runs every remaining step, then leaves the model (and the Scorer)
    /// at the mean of the last `averagedEpochs` epochs' weights;
    /// `checkpoint` is written every `checkpointEvery` steps and at the end
    /// of each epoch.
    public func train(checkpoint: String, resume: Bool, checkpointEvery: Int = 100,
                      progress: (TrainingProgress) -> Void) throws {
        let loop = TrainingLoop(loader: loader, settings: settings.common)
        let startStep = resume ? try restore(checkpoint) : 0
        let averageStart = loop.totalSteps - settings.averagedEpochs * loop.stepsPerEpoch
        try loop.run(from: startStep, step: { images, labels, rate, index, generator in
            trainingStep(images: images, labels: labels, learningRate: rate, step: index, generator: &generator)
        }, finished: { done in
            let epochEnd = done % loop.stepsPerEpoch == 0
            if epochEnd && done > averageStart {
                backboneAverage.take(model.parameters)
                if let scorer { scorerAverage.take(scorer.parameters) }
            }
            if done % checkpointEvery == 0 || epochEnd || done == loop.totalSteps {
                try save(checkpoint, step: done)
            }
        }, progress: progress)
        backboneAverage.apply(to: model.parameters)
        if let scorer { scorerAverage.apply(to: scorer.parameters) }
    }

    /// Forward, backward and AdamW on one batch; returns loss and hits.
    func trainingStep(images: Tensor, labels: [Int], learningRate: Double, step: Int,
                      generator: inout SeededGenerator) -> (Float, Int) {
        let dropping = Double.random(in: 0..<1, using: &generator) < settings.tokenDropProbability
        let keepRate = Double.random(in: settings.tokenDropKeep, using: &generator)
        var chosen: [[Int]]?
        if dropping {
            chosen = chooseBeforeForward(images: images, labels: labels, keepRate: keepRate, learningRate: learningRate,
                                         step: step, generator: &generator)
        }
        let teacherLabels = teacher.map { DensePass.topClasses($0.logits(Variable(images)).value) }
        let outcome = BatchShards(count: labels.count, parts: shards).run { range in
            shardGradients(images: images.items(range), labels: Array(labels[range]),
                           teacherLabels: teacherLabels.map { Array($0[range]) },
                           drop: dropping ? (keepRate, chosen.map { Array($0[range]) }) : nil)
        }
        Optimizer.clip(Array(outcome.gradients.values), maximumNorm: settings.gradientClip)
        optimiser.step(model.parameters, gradients: outcome.gradients, learningRate: learningRate,
                       weightDecay: settings.weightDecay)
        return (outcome.loss, outcome.hits)
    }

    /// Forward and backward of one shard of a batch on views of the
    /// parameters of its own, so shards can run at once. `drop` gives the
    /// keep rate and, unless the Scorer chooses from the shard's features,
    /// the grid indices each image keeps.
    private func shardGradients(images: Tensor, labels: [Int], teacherLabels: [Int]?,
                                drop: (keepRate: Double, chosen: [[Int]]?)?) -> BatchShards.Outcome {
        let replica = VisionTransformer(config: model.config, parameters: model.parameters.sharingTensors())
        replica.parameters.beginTrainingStep()
        var tokens = replica.embed(Variable(images))
        for index in 0..<model.config.depth {
            if let drop, index == settings.tokenDropBlocks {
                let kept = drop.chosen ?? scorerChoice(tokens.value, keepRate: drop.keepRate)
                tokens = replica.keepingPrefix(tokens, patches: kept)
            }
            tokens = replica.block(index, tokens).tokens
        }
        let logits = replica.classify(tokens)
        var loss = crossEntropy(logits, labels: labels, smoothing: settings.labelSmoothing)
        if let teacherLabels {
            let weight = settings.distillationWeight
            loss = add(scale(loss, by: 1 - weight),
                       scale(crossEntropy(logits, labels: teacherLabels, smoothing: settings.labelSmoothing), by: weight))
        }
        loss.backward()
        let (value, hits) = TrainingLoop.stepResult(loss: loss, logits: logits, labels: labels)
        return BatchShards.Outcome(loss: value, hits: hits, gradients: replica.parameters.endTrainingStep())
    }

    /// Grid indices each image keeps in a dropping step, when they can be
    /// chosen before the forward pass; nil for the Scorer guide, which
    /// chooses from the step's own features. Grad-CAM passes run on the
    /// model itself, whose parameters only shards' views track, so they
    /// record nothing.
    private func chooseBeforeForward(images: Tensor, labels: [Int], keepRate: Double, learningRate: Double, step: Int,
                                     generator: inout SeededGenerator) -> [[Int]]? {
        let patches = model.config.patchCount
        switch settings.tokenDropGuide {
        case .random:
            let count = TokenPruning.keepCount(patches: patches, keepRate: keepRate)
            return labels.map { _ in Array((0..<patches).shuffled(using: &generator).prefix(count)).sorted() }
        case .gradcam:
            let pass = DensePass.run(model, images: images, options: DensePassOptions(gradcam: true, targetClasses: labels))
            return pass.gradcam.map { TokenPruning.select(scores: $0, budget: .keepRate(keepRate)) }
        case .scorer:
            if step % settings.scorerUpdateInterval == 0 {
                let pass = DensePass.run(model, images: images, options: DensePassOptions(
                    featuresAfterBlocks: settings.tokenDropBlocks, gradcam: true, targetClasses: labels))
                updateScorer(features: pass.features!, maps: pass.gradcam, learningRate: learningRate)
            }
            return nil
        }
    }

    /// The Scorer's top tokens for each image, from tokens [B, K+P, D];
    /// safe to call from several shards at once.
    private func scorerChoice(_ tokens: Tensor, keepRate: Double) -> [[Int]] {
        guard let scorer else { preconditionFailure("Scorer-guided dropping without a Scorer") }
        let patches = model.config.patchCount
        let view = Scorer(config: scorer.config, parameters: scorer.parameters.sharingTensors())
        let scores = view.scores(model.patchTokens(Variable(tokens))).value.array
        return (0..<tokens.shape[0]).map { item in
            TokenPruning.select(scores: Array(scores[(item * patches)..<((item + 1) * patches)]), budget: .keepRate(keepRate))
        }
    }

    /// One Scorer step toward this batch's Grad-CAM maps.
    private func updateScorer(features: Tensor, maps: [[Float]], learningRate: Double) {
        guard let scorer else { preconditionFailure("Scorer-guided dropping without a Scorer") }
        scorer.parameters.beginTrainingStep()
        let loss = meanSquaredError(scorer.scores(model.patchTokens(Variable(features))),
                                    target: Tensor(shape: [maps.count, model.config.patchCount], values: maps.flatMap { $0 }))
        loss.backward()
        scorerOptimiser.step(scorer.parameters, gradients: scorer.parameters.endTrainingStep(), learningRate: learningRate,
                             weightDecay: 0.01)
    }

    /// What a checkpoint must agree with to be resumed: the settings, the
    /// augmentation, and whether a teacher takes part.
    private var fingerprint: String {
        settings.fingerprint + " " + loader.augmentationFingerprint + (teacher == nil ? "" : " distill=\(settings.distillationWeight)")
    }

    private func save(_ path: String, step: Int) throws {
        var tensors = Self.checkpointTensors(model.parameters, optimiser, prefix: "")
        tensors += backboneAverage.checkpointTensors(prefix: "average.")
        var metadata = ["step": String(step), "settings": fingerprint, "averaged": String(backboneAverage.taken)]
        if let scorer {
            tensors += Self.checkpointTensors(scorer.parameters, scorerOptimiser, prefix: "scorer.")
            tensors += scorerAverage.checkpointTensors(prefix: "scorer.average.")
            metadata["scorer_steps"] = String(scorerOptimiser.steps)
        }
        try Safetensors.write(tensors, metadata: metadata, to: path)
    }

    private static func checkpointTensors(_ parameters: Parameters, _ optimiser: AdamWState,
                                          prefix: String) -> [(name: String, tensor: Tensor)] {
        parameters.names.flatMap { name -> [(name: String, tensor: Tensor)] in
            var entries = [(prefix + "param." + name, parameters[name]!)]
            if let first = optimiser.firstMoments[name], let second = optimiser.secondMoments[name] {
                entries += [(prefix + "m." + name, first), (prefix + "v." + name, second)]
            }
            return entries
        }
    }

    /// Loads a checkpoint written with the same settings; returns its step.
    private func restore(_ path: String) throws -> Int {
        let file = try SafetensorsFile(path: path)
        guard file.metadata["settings"] == fingerprint, let step = file.metadata["step"].flatMap(Int.init) else {
            throw FileError(path: path, problem: "checkpoint was written with other settings (\(file.metadata["settings"] ?? "none")); delete it or use the same options")
        }
        let averaged = file.metadata["averaged"].flatMap(Int.init) ?? 0
        try Self.restore(model.parameters, &optimiser, steps: step, prefix: "", from: file)
        try backboneAverage.restore(taken: averaged, of: model.parameters, prefix: "average.", from: file)
        if let scorer {
            try Self.restore(scorer.parameters, &scorerOptimiser, steps: file.metadata["scorer_steps"].flatMap(Int.init) ?? 0,
                             prefix: "scorer.", from: file)
            try scorerAverage.restore(taken: averaged, of: scorer.parameters, prefix: "scorer.average.", from: file)
        }
        return step
    }

    private static func restore(_ parameters: Parameters, _ optimiser: inout AdamWState, steps: Int, prefix: String,
                                from file: SafetensorsFile) throws {
        var first: [String: Tensor] = [:], second: [String: Tensor] = [:]
        let stored = try WeightLoader.load(file, expected: WeightLoader.shapes(of: parameters), prefix: prefix + "param.")
        for name in parameters.names {
            parameters.set(name, stored[name]!)
            if file.shape(of: prefix + "m." + name) != nil {
                first[name] = try file.tensor(named: prefix + "m." + name)
                second[name] = try file.tensor(named: prefix + "v." + name)
            }
        }
        optimiser.restore(step: steps, first: first, second: second)
    }
}
