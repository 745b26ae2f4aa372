import ArgumentParser
import Autodiff
import Foundation
import Kernels
import Models

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Median batch-1 latency of an architecture with random weights.")

    @Option(help: "Architecture name, e.g. deit_tiny_patch16_224.")
    var arch: String

    @Option(help: "Worker threads (default: every core).")
    var threads: Int?

    @Option(help: "Timed runs after the warm-up.")
    var runs: Int = 30

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard ViTConfig.known(arch) != nil else {
            throw ValidationError("unknown architecture '\(arch)'; known: \(ViTConfig.knownArchitectures.joined(separator: ", "))")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if runs < 1 { throw ValidationError("--runs must be at least 1") }
    }

    func run() throws {
        if let threads { Parallel.threads = threads }
        let config = ViTConfig.known(arch)!
        let model = VisionTransformer(config: config, parameters: VisionTransformer.initialParameters(config, seed: 1))
        var generator = SeededGenerator(seed: 2)
        let image = Variable(Tensor.uniform([1, config.inChannels, config.imageHeight, config.imageWidth], in: -1...1,
                                            using: &generator))
        let dense = medianMilliseconds(runs: runs) { _ = model.logits(image) }
        if json {
            print(#"{"arch":"\#(arch)","threads":\#(Parallel.threads),"dense_ms":\#(String(format: "%.3f", dense))}"#)
        } else {
            print("\(arch): dense \(String(format: "%.2f", dense)) ms (median of \(runs), batch 1, \(Parallel.threads) threads)")
        }
    }
}

/// Median wall time of `body` over `runs` runs after a warm-up of a few runs.
func medianMilliseconds(runs: Int, _ body: () -> Void) -> Double {
    for _ in 0..<max(3, runs / 5) { body() }
    var times: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    times.sort()
    return times[times.count / 2]
}
