import ArgumentParser
import Formats
import Foundation
import Methods
import Models

/// Options shared by the commands that prune: policy and budget.
struct PruningOptions: ParsableArguments {
    @Option(help: "Pruning policy: \(PruningPolicy.allCases.map(\.rawValue).joined(separator: ", ")).")
    var policy: PruningPolicy?

    @Option(help: "Fraction of patch tokens to keep, in (0, 1].")
    var keep: Double?

    @Option(help: "Keep every token whose score is at least this (instead of --keep).")
    var threshold: Float?

    @Option(help: "Seed of the random policy.")
    var seed: UInt64 = 0

    func validate() throws {
        if keep != nil && threshold != nil { throw ValidationError("give --keep or --threshold, not both") }
        if let keep, !(keep > 0 && keep <= 1) { throw ValidationError("--keep must be in (0, 1]") }
        if let threshold, !(threshold.isFinite) { throw ValidationError("--threshold must be a number") }
    }

    /// The request these options describe; dense when nothing was asked.
    /// A budget alone prunes with the Scorer, or CLS attention when the
    /// model has no Scorer.
    func request(hasScorer: Bool) -> AnalysisRequest {
        let budget: PruningBudget = threshold.map { .threshold($0) } ?? .keepRate(keep ?? 0.5)
        let chosen = policy ?? ((keep != nil || threshold != nil) ? (hasScorer ? .scorer : .clsAttention) : PruningPolicy.none)
        return AnalysisRequest(policy: chosen, budget: budget, seed: seed)
    }
}

extension PruningPolicy: ExpressibleByArgument {}

struct Analyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Classify an image and explain it: top-K, Grad-CAM, rollout and pruning.")

    @Option(help: "Model folder (config.json + model.safetensors) or an embedded model name.")
    var model: String = "fashion-vit"

    @Option(help: "Image file (PNG, JPEG, PPM/PGM).")
    var image: String

    @Option(help: "How many classes to list.")
    var top: Int = 5

    @Option(name: .customLong("class"), help: "Grad-CAM target class index (default: the top-1).")
    var targetClass: Int?

    @OptionGroup var pruning: PruningOptions

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        if top < 1 { throw ValidationError("--top must be at least 1") }
    }

    func run() throws {
        let loaded = try ViTModel.load(model)
        loaded.prepareForInference()
        if let targetClass, !(0..<loaded.config.classes).contains(targetClass) {
            throw ValidationError("--class must be in 0..<\(loaded.config.classes)")
        }
        var request = pruning.request(hasScorer: loaded.scorer != nil)
        request.targetClass = targetClass
        let prepared = ImagePreprocessor.prepare(try ImageFile.read(path: image), for: loaded.config.preprocessing)
        let analysis = try Analyzer(model: loaded).analyze(input: prepared, request: request)
        let labels = loaded.config.labels
        if json {
            print(analysis.jsonDocument(labels: labels, top: top).serialized)
        } else {
            print(AnalysisReport.text(analysis, labels: labels, image: image, top: top))
        }
    }
}
