import Foundation

/// Times the workbench's response to a keep-rate change without a
/// terminal: the key through the state, the engine's analysis (the dense
/// pass is cached, so only the pruned pass runs) and a full render of the
/// screen. What remains is curses writing the changed cells.
public enum WorkbenchLatency {
    /// Milliseconds per change, for `runs` alternating `+`/`-` presses.
    public static func keepRateChanges(engine: WorkbenchEngine, model: String, image: String, size: TerminalSize,
                                       runs: Int) -> [Double] {
        var state = WorkbenchState(embeddedModels: engine.embeddedModels,
                                   workingDirectory: FileManager.default.currentDirectoryPath)
        _ = state.handle(.resize(size))
        settle(&state, state.start(model: model, image: image), engine: engine)
        return (0..<runs).map { run in
            let start = DispatchTime.now().uptimeNanoseconds
            settle(&state, state.handle(.key(.character(run % 2 == 0 ? "+" : "-"))), engine: engine)
            _ = render(state, size: size)
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        }
    }

    /// Runs the engine jobs among `effects`, feeding their outcomes back,
    /// until the state asks for nothing more.
    private static func settle(_ state: inout WorkbenchState, _ effects: [WorkbenchEffect], engine: WorkbenchEngine) {
        var pending = effects
        while !pending.isEmpty {
            let effect = pending.removeFirst()
            guard case .run(let job, let ticket) = effect else { continue }
            pending += state.handle(.finished(ticket: ticket, job.perform(on: engine) { _ in }))
        }
    }
}
