import ArgumentParser
import Autodiff
import Formats
import Foundation
import Kernels
import Methods
import Models
import Workbench

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Latency benchmarks (not part of the tests).",
        subcommands: [BenchModel.self, BenchWorkbench.self],
        defaultSubcommand: BenchModel.self)
}

struct BenchModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Median batch-1 latency of an architecture with random weights (the default).")

    @Option(help: "Architecture name, e.g. deit_tiny_patch16_224.")
    var arch: String

    @Option(help: "Worker threads (default: every core).")
    var threads: Int?

    @Option(help: "Timed runs after the warm-up.")
    var runs: Int = 30

    @Option(help: "Also time pruned inference: a Scorer after block 3 keeping this fraction of tokens.")
    var keep: Double?

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard ViTConfig.known(arch) != nil else {
            throw ValidationError("unknown architecture '\(arch)'; known: \(ViTConfig.knownArchitectures.joined(separator: ", "))")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if runs < 1 { throw ValidationError("--runs must be at least 1") }
        if let keep, !(keep > 0 && keep <= 1) { throw ValidationError("--keep must be in (0, 1]") }
    }

    func run() throws {
        if let threads { Parallel.threads = threads }
        let config = ViTConfig.known(arch)!
        let model = VisionTransformer(config: config, parameters: VisionTransformer.initialParameters(config, seed: 1))
        model.parameters.prepareForInference()
        var generator = SeededGenerator(seed: 2)
        let image = Variable(Tensor.uniform([1, config.inChannels, config.imageHeight, config.imageWidth], in: -1...1,
                                            using: &generator))
        var measured: [(name: String, body: () -> Void)] = [
            ("dense_ms", { _ = model.logits(image) }),
            ("gradcam_ms", { _ = DensePass.run(model, images: image.value, options: DensePassOptions(gradcam: true)) }),
        ]
        if let keep {
            // A Scorer after block 3, as the pruning experiments place it.
            let scorerConfig = ScorerConfig(layer: 3, inputDimension: config.embedDimension, hiddenDimension: min(128, config.embedDimension))
            let scorer = Scorer(config: scorerConfig, parameters: Scorer.initialParameters(scorerConfig, seed: 3))
            scorer.parameters.prepareForInference()
            let pruned = PrunedInference(model: model, scorer: scorer, denseBlocks: scorerConfig.layer)
            measured.append(("pruned_ms", { _ = pruned.logits(image.value, policy: .scorer, budget: .keepRate(keep)) }))
        }
        let figures = zip(measured.map(\.name), interleavedMedianMilliseconds(runs: runs, measured.map(\.body))).map { ($0, $1) }
        if json {
            var fields: [String: JSONValue] = ["arch": .string(arch), "threads": .integer(Parallel.threads),
                                               "blas_core": .string(BLASCoreType.loaded), "gemm_kernel": .string(gemmKernel)]
            for (name, value) in figures { fields[name] = .number((value * 1000).rounded() / 1000) }
            if let keep { fields["keep"] = .number(keep) }
            print(JSONValue.object(fields).serialized)
        } else {
            let text = figures.map { "\($0.0.replacingOccurrences(of: "_ms", with: "")) \(String(format: "%.2f", $0.1)) ms" }
            print("\(arch): \(text.joined(separator: ", ")) (median of \(runs), batch 1, \(Parallel.threads) threads, "
                  + "linear layers on \(gemmKernel), OpenBLAS \(BLASCoreType.loaded))")
        }
    }

    /// What multiplies the linear layers: a packed-weight kernel or BLAS.
    private var gemmKernel: String { PackedWeights.Kernel.best.map { "\($0)" } ?? "blas" }
}

/// Median wall time of each body over `runs` runs, after a warm-up of a few
/// runs. The bodies take turns within every run, so that a change in the
/// machine's load or clock affects them alike and their ratios hold.
func interleavedMedianMilliseconds(runs: Int, _ bodies: [() -> Void]) -> [Double] {
    for _ in 0..<max(3, runs / 5) { bodies.forEach { $0() } }
    var times = Array(repeating: [Double](), count: bodies.count)
    for _ in 0..<runs {
        for (index, body) in bodies.enumerated() {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times[index].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
    }
    return times.map { $0.sorted()[runs / 2] }
}

struct BenchWorkbench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workbench",
        abstract: "How long the workbench takes to show a keep-rate change: state, pruned pass and a 120×40 render.")

    @Option(help: "Model folder or embedded model name.")
    var model: String = EngineSession.defaultModel

    @Option(help: "Image (default: the first bundled sample).")
    var image: String?

    @Option(help: "Timed keep-rate changes.")
    var runs: Int = 50

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        guard let path = image ?? Assets.sampleImages.first else { throw ValidationError("no bundled sample; pass --image") }
        let engine = EngineSession()
        // Load once up front so that failures surface as errors, not as status lines.
        _ = try engine.loadModel(reference: model)
        try engine.loadImage(path: path)
        let times = WorkbenchLatency.keepRateChanges(engine: engine, model: model, image: path,
                                                     size: TerminalSize(columns: 120, rows: 40), runs: runs).sorted()
        let median = times[times.count / 2], worst = times.last ?? 0
        if json {
            print(JSONValue.object(["model": .string(model), "keep_change_ms": .number((median * 1000).rounded() / 1000),
                                    "keep_change_max_ms": .number((worst * 1000).rounded() / 1000)]).serialized)
        } else {
            print(String(format: "%@: keep-rate change %.2f ms median, %.2f ms worst of %d (120×40)", model, median, worst, runs))
        }
    }
}
