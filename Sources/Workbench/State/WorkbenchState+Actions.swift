import Methods

extension WorkbenchState {
    /// Runs a workbench action (from a key or the palette).
    mutating func perform(_ action: KeyAction) -> [WorkbenchEffect] {
        switch action {
        case .increaseBudget: return adjustBudget(steps: 1)
        case .decreaseBudget: return adjustBudget(steps: -1)
        case .toggleBudgetMode:
            budgetMode = budgetMode == .keepRate ? .threshold : .keepRate
            return reanalyze()
        case .cyclePolicy:
            policy = Self.cycled(policy, in: availablePolicies, by: 1)
            return reanalyze()
        case .cycleTargetClass: return cycleTargetClass()
        case .moveUp: moveCursor(rows: -1, columns: 0)
        case .moveDown: moveCursor(rows: 1, columns: 0)
        case .moveLeft: moveCursor(rows: 0, columns: -1)
        case .moveRight: moveCursor(rows: 0, columns: 1)
        case .nextView: view = Self.cycled(view, in: availableViews, by: 1)
        case .previousView: view = Self.cycled(view, in: availableViews, by: -1)
        case .showView(let requested): show(requested)
        case .increaseOpacity: heatmapOpacity = Self.stepped(heatmapOpacity, by: Self.opacityStep, in: 0...1)
        case .decreaseOpacity: heatmapOpacity = Self.stepped(heatmapOpacity, by: -Self.opacityStep, in: 0...1)
        case .toggleGrid: showsGrid.toggle()
        case .togglePlot:
            if sweep == nil {
                status = .info("no sweep yet: run one from the command palette (:)")
            } else {
                showsPlot.toggle()
            }
        case .openBrowser: return openBrowser()
        case .showHelp: overlay = .help(scroll: 0)
        case .openPalette: overlay = .palette(PaletteState())
        case .redraw: return [.redraw]
        case .quit: shouldQuit = true
        case .close: overlay = nil
        // List navigation and line editing only exist inside overlays, which handleKey routes.
        case .selectPrevious, .selectNext, .confirm, .parentDirectory, .deleteBackward, .clearInput: break
        }
        return []
    }

    /// Runs a palette or prompt command.
    mutating func execute(_ command: WorkbenchCommand) -> [WorkbenchEffect] {
        switch command {
        case .perform(let action):
            return perform(action)
        case .ask(let kind):
            overlay = .prompt(PromptState(kind: kind, text: initialText(for: kind)))
            return []
        case .openImage(let path):
            return [enqueue(.loadImage(path: path))]
        case .loadModel(let reference):
            return [enqueue(.loadModel(reference: reference))]
        case .setPolicy(let newPolicy):
            policy = newPolicy
        case .setKeepRate(let rate):
            budgetMode = .keepRate
            keepRate = rate
        case .setThreshold(let value):
            budgetMode = .threshold
            threshold = value
        case .setTargetClass(let index):
            targetClass = index
        case .exportPNG(let path):
            return analysis == nil ? refuse("nothing to export yet") : [enqueue(.exportPNG(view: view, path: path))]
        case .exportJSON(let path):
            return analysis == nil ? refuse("nothing to export yet") : [enqueue(.exportJSON(path: path))]
        case .sweep(let dataset, let limit):
            return model == nil ? refuse("load a model first") : [enqueue(.sweep(dataset: dataset, limit: limit))]
        }
        return reanalyze()
    }

    private mutating func refuse(_ reason: String) -> [WorkbenchEffect] {
        status = .error(reason)
        return []
    }

    private mutating func adjustBudget(steps: Int) -> [WorkbenchEffect] {
        switch budgetMode {
        case .keepRate: keepRate = Self.stepped(keepRate, by: Double(steps) * Self.keepRateStep, in: 0.05...1)
        case .threshold: threshold = Self.stepped(threshold, by: Double(steps) * Self.thresholdStep, in: 0...1)
        }
        return reanalyze()
    }

    /// Automatic (top-1), then the 2nd to 5th dense classes, then automatic again.
    private mutating func cycleTargetClass() -> [WorkbenchEffect] {
        guard let top = analysis?.top, top.count > 1 else {
            status = .info("no classes to choose from yet")
            return []
        }
        let sequence: [Int?] = [nil] + top.dropFirst().prefix(4).map(\.index)
        targetClass = Self.cycled(targetClass, in: sequence, by: 1)
        let label = targetClass.flatMap { index in top.first { $0.index == index }?.label }
        status = .info("Grad-CAM target: " + (label ?? "automatic (top-1)"))
        return reanalyze()
    }

    private mutating func moveCursor(rows: Int, columns: Int) {
        cursor = TokenPosition(row: cursor.row + rows, column: cursor.column + columns)
        clampCursor()
    }

    private mutating func show(_ requested: ViewKind) {
        if availableViews.contains(requested) {
            view = requested
        } else {
            status = .info("the \(requested.title) view needs a model that provides it")
        }
    }

    private mutating func openBrowser() -> [WorkbenchEffect] {
        let directory = imagePath.map(DirectoryListing.parent(of:)) ?? workingDirectory
        overlay = .browser(BrowserState(directory: directory))
        return [.listDirectory(directory)]
    }

    private func initialText(for kind: PromptKind) -> String {
        switch kind {
        case .imagePath: imagePath.map { DirectoryListing.parent(of: $0) + "/" } ?? ""
        case .keepRate: "\(Int((keepRate * 100).rounded()))%"
        case .threshold: "\(threshold)"
        case .exportPNG: "glimpse-\(view.rawValue).png"
        case .exportJSON: "glimpse-analysis.json"
        case .sweep: "\(sweepDataset) 100"
        case .modelPath, .targetClass: ""
        }
    }

    /// The element `steps` after `current` in `list`, wrapping; the first
    /// element when `current` is not in the list.
    static func cycled<Element: Equatable>(_ current: Element, in list: [Element], by steps: Int) -> Element {
        guard let index = list.firstIndex(of: current) else { return list.first ?? current }
        let count = list.count
        return list[((index + steps) % count + count) % count]
    }

    /// `value + step`, clamped and rounded to hundredths so repeated steps do not drift.
    static func stepped(_ value: Double, by step: Double, in range: ClosedRange<Double>) -> Double {
        min(max(((value + step) * 100).rounded() / 100, range.lowerBound), range.upperBound)
    }
}
