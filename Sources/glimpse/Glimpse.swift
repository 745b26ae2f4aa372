import ArgumentParser

struct Glimpse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glimpse",
        abstract: "A terminal workbench for vision models that spend compute only where it matters.",
        subcommands: [Analyze.self, SweepCommand.self, Train.self, TrainScorer.self, Bench.self])
}
