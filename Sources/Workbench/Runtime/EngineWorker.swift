import Foundation

/// Runs engine jobs in order on one background thread and collects their
/// outcomes for the UI thread. A queued analysis or sweep is skipped when
/// a newer one of the same kind waits behind it.
final class EngineWorker: @unchecked Sendable {
    private let engine: WorkbenchEngine
    // Guards `queue`, `outbox` and `isStopped`.
    private let condition = NSCondition()
    private var queue: [(job: EngineJob, ticket: Int)] = []
    private var outbox: [WorkbenchEvent] = []
    private var isStopped = false

    init(engine: WorkbenchEngine) {
        self.engine = engine
    }

    func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "glimpse-engine"
        thread.start()
    }

    /// Lets the thread finish; a job already running completes unseen.
    func stop() {
        condition.lock()
        isStopped = true
        condition.signal()
        condition.unlock()
    }

    func submit(_ job: EngineJob, ticket: Int) {
        condition.lock()
        queue.append((job, ticket))
        condition.signal()
        condition.unlock()
    }

    /// Outcomes and progress reported since the last call.
    func drainEvents() -> [WorkbenchEvent] {
        condition.lock()
        defer { condition.unlock() }
        let events = outbox
        outbox.removeAll()
        return events
    }

    private func post(_ event: WorkbenchEvent) {
        condition.lock()
        outbox.append(event)
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && !isStopped { condition.wait() }
            if isStopped {
                condition.unlock()
                return
            }
            let next = queue.removeFirst()
            let isSuperseded = queue.contains { next.job.isSuperseded(by: $0.job) }
            condition.unlock()
            let outcome = isSuperseded ? EngineOutcome.superseded : run(next.job, ticket: next.ticket)
            post(.finished(ticket: next.ticket, outcome))
        }
    }

    private func run(_ job: EngineJob, ticket: Int) -> EngineOutcome {
        job.perform(on: engine) { [weak self] fraction in self?.post(.progress(ticket: ticket, fraction: fraction)) }
    }
}

extension EngineJob {
    /// Runs the job on `engine` and describes how it ended; failures become
    /// the first line of their message.
    func perform(on engine: WorkbenchEngine, progress: @escaping @Sendable (Double) -> Void) -> EngineOutcome {
        do {
            switch self {
            case .loadModel(let reference):
                return .modelLoaded(try engine.loadModel(reference: reference), reference: reference)
            case .loadImage(let path):
                try engine.loadImage(path: path)
                return .imageLoaded(path: path)
            case .analyze(let request):
                return .analysis(try engine.analyze(request))
            case .sweep(let dataset, let limit):
                return .sweep(try engine.sweep(dataset: dataset, limit: limit, progress: progress))
            case .exportPNG(let view, let path):
                try engine.exportPNG(view: view, path: path)
                return .exported(path: path)
            case .exportJSON(let path):
                try engine.exportJSON(path: path)
                return .exported(path: path)
            }
        } catch {
            // The status line has one row: keep the first line of the message.
            return .failed(String(describing: error).split(separator: "\n").first.map(String.init) ?? "failed")
        }
    }
}
