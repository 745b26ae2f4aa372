import Methods

extension WorkbenchState {
    /// Applies one event and returns the work it asks for.
    public mutating func handle(_ event: WorkbenchEvent) -> [WorkbenchEffect] {
        switch event {
        case .key(let key):
            return handleKey(key)
        case .click(let row, let column):
            selectToken(row: row, column: column)
            return []
        case .resize(let size):
            screenSize = size
            return []
        case .tick:
            if !running.isEmpty { spinnerFrame += 1 }
            return []
        case .progress(let ticket, let fraction):
            if let index = running.firstIndex(where: { $0.ticket == ticket }) {
                running[index].progress = min(max(fraction, 0), 1)
            }
            return []
        case .finished(let ticket, let outcome):
            return finish(ticket: ticket, outcome)
        case .directoryListed(let path, let result):
            showListing(of: path, result)
            return []
        case .notice(let message):
            status = message
            return []
        }
    }

    /// The first jobs of a session: the model and the image to open with.
    /// Paths from the command line resolve against the working directory,
    /// so that the browser and the recent lists see where they really are;
    /// an embedded model's bare name stays a name.
    public mutating func start(model: String?, image: String?) -> [WorkbenchEffect] {
        var effects = [WorkbenchEffect]()
        if let reference = model ?? embeddedModels.first {
            let resolved = embeddedModels.contains(reference)
                ? reference : PromptKind.absolutePath(reference, workingDirectory: workingDirectory)
            effects.append(enqueue(.loadModel(reference: resolved)))
        } else {
            status = .error("no model: pass one with --model")
        }
        if let image {
            effects.append(enqueue(.loadImage(path: PromptKind.absolutePath(image, workingDirectory: workingDirectory))))
        }
        return effects
    }

    /// Hands out a ticket for a job and remembers it as running.
    mutating func enqueue(_ job: EngineJob) -> WorkbenchEffect {
        let ticket = nextTicket
        nextTicket += 1
        running.append(RunningJob(ticket: ticket, job: job))
        if case .analyze = job { latestAnalysisTicket = ticket }
        if case .sweep = job { latestSweepTicket = ticket }
        return .run(job, ticket: ticket)
    }

    /// A fresh analysis for the current request, once a model and an image are in.
    mutating func reanalyze() -> [WorkbenchEffect] {
        guard model != nil, imagePath != nil else { return [] }
        return [enqueue(.analyze(analysisRequest))]
    }

    private mutating func finish(ticket: Int, _ outcome: EngineOutcome) -> [WorkbenchEffect] {
        guard let index = running.firstIndex(where: { $0.ticket == ticket }) else { return [] }
        let job = running.remove(at: index).job
        if isStale(job, ticket: ticket) { return [] }
        switch outcome {
        case .modelLoaded(let summary, let reference):
            adopt(summary, reference: reference)
            return [.saveRecents(recent)] + reanalyze()
        case .imageLoaded(let path):
            imagePath = path
            recent.noteImage(path)
            return [.saveRecents(recent)] + reanalyze()
        case .analysis(let result):
            analysis = result
            clampCursor()
        case .sweep(let result):
            sweep = result
            if case .sweep(let dataset, _) = job { sweepSource = dataset }
            showsPlot = true
            inform("sweep done: \(result.rows.count) points over \(result.images) images")
        case .exported(let path):
            inform("wrote \(path)")
        case .failed(let message):
            status = .error(message)
        case .superseded:
            break
        }
        return []
    }

    /// An analysis or sweep that a newer one replaced: its result is dropped.
    private func isStale(_ job: EngineJob, ticket: Int) -> Bool {
        switch job {
        case .analyze: ticket != latestAnalysisTicket
        case .sweep: ticket != latestSweepTicket
        default: false
        }
    }

    private mutating func adopt(_ summary: ModelSummary, reference: String) {
        model = summary
        modelReference = reference
        recent.noteModel(reference)
        analysis = nil
        targetClass = nil
        if !availableViews.contains(view) { view = .gradcam }
        if !availablePolicies.contains(policy) { policy = .gradcam }
        clampCursor()
        inform("\(summary.name): \(summary.gridRows)×\(summary.gridColumns) tokens, "
            + "pruned after block \(summary.pruningBlock) of \(summary.depth)")
    }

    /// Shows an informational message unless an error is still showing:
    /// errors stay until the next key.
    mutating func inform(_ text: String) {
        if status?.isError != true { status = .info(text) }
    }

    mutating func clampCursor() {
        guard let grid = gridSize else { return }
        cursor = TokenPosition(row: min(max(cursor.row, 0), grid.rows - 1),
                               column: min(max(cursor.column, 0), grid.columns - 1))
    }

    private mutating func selectToken(row: Int, column: Int) {
        guard overlay == nil, let placement = imagePlacement, let grid = gridSize,
              let pixel = placement.pixel(row: row, column: column) else { return }
        cursor = TokenGrid(rows: grid.rows, columns: grid.columns,
                           width: placement.fit.width, height: placement.fit.height).token(x: pixel.x, y: pixel.y)
    }

    private mutating func showListing(of path: String, _ result: Result<[DirectoryEntry], ListingError>) {
        guard case .browser(var browser) = overlay, browser.directory == path else { return }
        browser.isLoading = false
        browser.selection = 0
        switch result {
        case .success(let entries):
            browser.entries = entries
            browser.error = nil
        case .failure(let error):
            browser.entries = []
            browser.error = error.description
        }
        overlay = .browser(browser)
    }
}
