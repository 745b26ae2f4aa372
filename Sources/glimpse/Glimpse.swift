import ArgumentParser
import Models
import Workbench

struct Glimpse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glimpse",
        abstract: "A terminal workbench for vision models that spend compute only where it matters.",
        discussion: "With no subcommand, opens the workbench on the embedded default model and a bundled sample image.",
        subcommands: [WorkbenchCommand.self, Analyze.self, Render.self, SweepCommand.self, Train.self, TrainScorer.self,
                      Samples.self, Keys.self, Bench.self],
        defaultSubcommand: WorkbenchCommand.self)
}

struct WorkbenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workbench",
        abstract: "Open the interactive workbench (the default).")

    @Option(help: "Model folder or embedded model name (default: \(EngineSession.defaultModel)).")
    var model: String?

    @Option(help: "Image to open (default: the first bundled sample).")
    var image: String?

    @Flag(help: "Draw with characters only, without colour.")
    var ascii = false

    @Flag(help: "Ignore mouse clicks.")
    var noMouse = false

    func run() throws {
        let options = WorkbenchOptions(model: model ?? EngineSession.defaultModel, image: image ?? Assets.sampleImages.first,
                                       ascii: ascii, mouse: !noMouse)
        let status = try runWorkbench(engine: EngineSession(), options: options)
        if status != 0 { throw ExitCode(status) }
    }
}
