import ArgumentParser
import Workbench

struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the workbench's key bindings as Markdown (the README's key list).")

    func run() throws {
        print(Keymap.markdown(), terminator: "")
    }
}
