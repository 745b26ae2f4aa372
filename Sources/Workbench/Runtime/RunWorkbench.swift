import CNcurses
import Foundation

/// Runs the interactive workbench until the user quits. Returns the exit
/// status: 0 after `q`, 130 after Ctrl-C, 1 when there is no usable
/// terminal (after printing one line on stderr). The terminal is restored
/// on every path out.
public func runWorkbench(engine: WorkbenchEngine, options: WorkbenchOptions) throws -> Int32 {
    guard isatty(STDOUT_FILENO) == 1, isatty(STDIN_FILENO) == 1 else {
        printError("glimpse: the workbench needs a terminal; try `glimpse analyze`")
        return 1
    }
    let environment = ProcessInfo.processInfo.environment
    let stateFile = StateFile(path: options.stateFile ?? StateFile.defaultPath(environment: environment))
    var recent = RecentItems()
    var startupNotice: StatusMessage?
    switch stateFile.load() {
    case .loaded(let items): recent = items
    case .missing: break
    case .unreadable(let reason): startupNotice = .error(reason)
    }

    glimpse_adopt_locale()
    glimpse_install_signal_handlers()
    guard let terminal = NcursesTerminal(mouse: options.mouse, pollMilliseconds: 50) else {
        printError("glimpse: cannot start the terminal (TERM=\(environment["TERM"] ?? "unset"))")
        return 1
    }
    defer { terminal.stop() }
    let worker = EngineWorker(engine: engine)
    worker.start()
    defer { worker.stop() }

    let state = WorkbenchState(embeddedModels: engine.embeddedModels,
                               workingDirectory: FileManager.default.currentDirectoryPath, recent: recent,
                               asciiMode: options.ascii || !terminal.hasColour, sweepDataset: options.sweepDataset)
    let session = WorkbenchSession(state: state, terminal: terminal, worker: worker, stateFile: stateFile)
    return session.run(model: options.model, image: options.image, notice: startupNotice)
}

private func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// The event loop: input and engine outcomes in, effects out, a frame
/// drawn whenever the state changed.
private final class WorkbenchSession {
    private var state: WorkbenchState
    private let terminal: NcursesTerminal
    private let worker: EngineWorker
    private let stateFile: StateFile
    private var needsDraw = true
    private static let tickInterval: TimeInterval = 0.1

    init(state: WorkbenchState, terminal: NcursesTerminal, worker: EngineWorker, stateFile: StateFile) {
        self.state = state
        self.terminal = terminal
        self.worker = worker
        self.stateFile = stateFile
    }

    func run(model: String?, image: String?, notice: StatusMessage?) -> Int32 {
        dispatch(.resize(terminal.size))
        perform(state.start(model: model, image: image))
        if let notice { dispatch(.notice(notice)) }
        var lastTick = Date()
        while !state.shouldQuit {
            if glimpse_interrupted() { return 130 }
            if needsDraw {
                terminal.draw(render(state, size: state.screenSize))
                needsDraw = false
            }
            if let input = terminal.readInput() { receive(input) }
            worker.drainEvents().forEach(dispatch)
            if !state.running.isEmpty, Date().timeIntervalSince(lastTick) >= Self.tickInterval {
                dispatch(.tick)
                lastTick = Date()
            }
        }
        return 0
    }

    private func receive(_ input: TerminalInput) {
        switch input {
        case .key(let key): dispatch(.key(key))
        case .click(let row, let column): dispatch(.click(row: row, column: column))
        case .resize:
            terminal.invalidate()
            dispatch(.resize(terminal.size))
        }
    }

    private func dispatch(_ event: WorkbenchEvent) {
        perform(state.handle(event))
        needsDraw = true
    }

    private func perform(_ effects: [WorkbenchEffect]) {
        for effect in effects {
            switch effect {
            case .run(let job, let ticket):
                worker.submit(job, ticket: ticket)
            case .listDirectory(let path):
                dispatch(.directoryListed(path: path, DirectoryListing.read(path)))
            case .saveRecents(let items):
                do {
                    try stateFile.save(items)
                } catch {
                    dispatch(.notice(.error("\(error)")))
                }
            case .redraw:
                terminal.invalidate()
            }
        }
    }
}
