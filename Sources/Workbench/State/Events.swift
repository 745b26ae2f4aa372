import Foundation
import Methods

/// Work for the engine, run in order on the worker thread.
public enum EngineJob: Equatable, Sendable {
    case loadModel(reference: String)
    case loadImage(path: String)
    case analyze(AnalysisRequest)
    case sweep(dataset: String, limit: Int)
    case exportPNG(view: ViewKind, path: String)
    case exportJSON(path: String)

    /// What the status line says while the job runs.
    public var label: String {
        switch self {
        case .loadModel(let reference): "loading model \(reference)"
        case .loadImage(let path): "loading \((path as NSString).lastPathComponent)"
        case .analyze: "analysing"
        case .sweep(let dataset, let limit): "sweep over \(limit) images of \((dataset as NSString).lastPathComponent)"
        case .exportPNG(_, let path), .exportJSON(let path): "writing \(path)"
        }
    }

    /// Whether a later job of the same kind makes this one pointless: its
    /// result would be dropped anyway.
    public func isSuperseded(by later: EngineJob) -> Bool {
        switch (self, later) {
        case (.analyze, .analyze), (.sweep, .sweep): true
        default: false
        }
    }
}

/// How a job ended.
public enum EngineOutcome: Sendable {
    case modelLoaded(ModelSummary, reference: String)
    case imageLoaded(path: String)
    case analysis(Analysis)
    case sweep(SweepResult)
    case exported(path: String)
    case failed(String)
    /// Skipped because a newer job of the same kind was queued.
    case superseded
}

/// Everything that can change the workbench state.
public enum WorkbenchEvent: Sendable {
    case key(KeyPress)
    case click(row: Int, column: Int)
    case resize(TerminalSize)
    /// Time passing, for the spinner.
    case tick
    case progress(ticket: Int, fraction: Double)
    case finished(ticket: Int, EngineOutcome)
    case directoryListed(path: String, Result<[DirectoryEntry], ListingError>)
    /// A message from the runtime itself, such as a state file it could not use.
    case notice(StatusMessage)
}

/// Work the state asks the runtime to do.
public enum WorkbenchEffect: Equatable, Sendable {
    case run(EngineJob, ticket: Int)
    case listDirectory(String)
    case saveRecents(RecentItems)
    /// Repaint the whole terminal, not only what changed.
    case redraw
}
