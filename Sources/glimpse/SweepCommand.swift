import ArgumentParser
import Formats
import Foundation
import Kernels
import Methods
import Models

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Accuracy against keep rate for each pruning policy over a data set.",
        subcommands: [SweepRun.self, SweepMerge.self],
        defaultSubcommand: SweepRun.self)
}

struct SweepRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a sweep (the default subcommand).")

    @Option(help: "Model folder or embedded model name.")
    var model: String = "fashion-vit"

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Comma-separated keep rates.")
    var keep: String = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9"

    @Option(help: "Comma-separated policies (default: every policy the model supports).")
    var policies: String?

    @Option(help: "Process shard i of n (i/n, 0-based): every n-th image from the i-th.")
    var shard: String?

    @Option(help: "Seed of the random policy and of the image order.")
    var seed: UInt64 = 0

    @OptionGroup var output: SweepOutputOptions

    func validate() throws {
        _ = try keepRates()
        _ = try shardSpec()
        _ = try policyList(hasScorer: true)
    }

    func keepRates() throws -> [Double] {
        let rates = keep.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !rates.isEmpty, rates.allSatisfy({ $0 != nil && $0! > 0 && $0! <= 1 }) else {
            throw ValidationError("--keep must be comma-separated numbers in (0, 1]")
        }
        return rates.map { $0! }
    }

    func shardSpec() throws -> (index: Int, count: Int) {
        guard let shard else { return (0, 1) }
        let parts = shard.split(separator: "/").compactMap { Int($0) }
        guard parts.count == 2, parts[1] >= 1, (0..<parts[1]).contains(parts[0]) else {
            throw ValidationError("--shard must be i/n with 0 ≤ i < n")
        }
        return (parts[0], parts[1])
    }

    func policyList(hasScorer: Bool) throws -> [PruningPolicy] {
        guard let policies else { return PruningPolicy.allCases.filter { $0 != .scorer || hasScorer } }
        let names = policies.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return try names.map { name in
            guard let policy = PruningPolicy(rawValue: name) else {
                throw ValidationError("unknown policy '\(name)'; policies: \(PruningPolicy.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return policy
        }
    }

    func run() throws {
        let loaded = try ViTModel.load(model)
        loaded.prepareForInference()
        let source = try dataOptions.source()
        let (shardIndex, shardCount) = try shardSpec()
        let ordered = source.shuffledIndices(seed: seed).prefix(dataOptions.limit ?? source.count)
        let indices = ordered.enumerated().filter { $0.offset % shardCount == shardIndex }.map(\.element)
        let sweep = Sweep(model: loaded, policies: try policyList(hasScorer: loaded.scorer != nil), keepRates: try keepRates(), seed: seed)
        let bar = ProgressBar(title: "sweep")
        let clock = Stopwatch()
        let result = try sweep.run(loader: BatchLoader(source: source, preprocessing: loaded.config.preprocessing),
                                   indices: indices) { fraction in
            bar.update(fraction: fraction, detail: "\(Int(fraction * Double(indices.count)))/\(indices.count) images",
                       secondsRemaining: clock.milliseconds / 1000 * (1 - fraction) / max(fraction, 1e-9))
        }
        bar.finish()
        try SweepReport.emit(result, output)
    }
}

struct SweepMerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the JSON outputs of sweep shards into one result.")

    @Argument(help: "JSON files written by `glimpse sweep --shard i/n --json`.")
    var files: [String]

    @OptionGroup var output: SweepOutputOptions

    func run() throws {
        let shards = try files.map { try SweepReport.read($0) }
        guard let merged = SweepResult.merged(shards) else {
            throw ValidationError("the shards swept different policies or keep rates")
        }
        try SweepReport.emit(merged, output)
    }
}

/// How a sweep's result is printed and saved, for a run and a merge alike.
struct SweepOutputOptions: ParsableArguments {
    @Option(help: "Write the rows as CSV to this file.")
    var csv: String?

    @Flag(help: "Print one JSON object (with the raw counts `sweep merge` needs, and accuracy by true class).")
    var json = false

    @Flag(help: "Print Markdown tables, keep rates down and policies across, as a model card's pruning section.")
    var markdown = false

    @Flag(help: "Also print accuracy by true class, a table per keep rate.")
    var perClass = false

    func validate() throws {
        if json && markdown { throw ValidationError("--json and --markdown are exclusive") }
    }
}
