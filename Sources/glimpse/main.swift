import ArgumentParser
import Kernels

@main
struct Glimpse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "glimpse",
        abstract: "A terminal workbench for vision models that spend compute only where it matters.")

    func run() throws {}
}
