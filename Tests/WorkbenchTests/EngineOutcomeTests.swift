import Methods
import Testing
import Workbench

/// How engine results, failures and progress change the state.
@Suite struct EngineOutcomeTests {
    static func tickets(_ effects: [WorkbenchEffect]) -> [Int] {
        effects.compactMap { if case .run(_, let ticket) = $0 { ticket } else { nil } }
    }

    @Test func startLoadsTheModelThenTheImageThenAnalyses() {
        var state = WorkbenchState(embeddedModels: ["default-vit"], workingDirectory: "/")
        let effects = state.start(model: nil, image: "/a.png")
        #expect(effects == [.run(.loadModel(reference: "default-vit"), ticket: 1), .run(.loadImage(path: "/a.png"), ticket: 2)])
        #expect(state.running.count == 2)
        let afterModel = state.handle(.finished(ticket: 1, .modelLoaded(Synthetic.model, reference: "default-vit")))
        #expect(afterModel == [.saveRecents(RecentItems(models: ["default-vit"]))], "no image yet: nothing to analyse")
        let afterImage = state.handle(.finished(ticket: 2, .imageLoaded(path: "/a.png")))
        #expect(afterImage.count == 2 && KeyTransitionTests.analysisRequests(afterImage).count == 1)
        #expect(state.recent == RecentItems(models: ["default-vit"], images: ["/a.png"]))
    }

    @Test func aNewerRequestSupersedesAnOlderOne() {
        var state = Synthetic.loadedState()
        let first = Self.tickets(state.handle(.key("+")))[0]
        let second = Self.tickets(state.handle(.key("+")))[0]
        _ = state.handle(.finished(ticket: first, .analysis(Synthetic.analysis(budget: .keepRate(0.55)))))
        #expect(state.analysis?.budget == .keepRate(0.5), "the stale result is dropped")
        #expect(state.running.map(\.ticket) == [second])
        _ = state.handle(.finished(ticket: second, .analysis(Synthetic.analysis(budget: .keepRate(0.6)))))
        #expect(state.analysis?.budget == .keepRate(0.6) && state.running.isEmpty)
    }

    @Test func staleFailuresAreDroppedToo() {
        var state = Synthetic.loadedState()
        let first = Self.tickets(state.handle(.key("+")))[0]
        _ = state.handle(.key("+"))
        _ = state.handle(.finished(ticket: first, .failed("old: broken")))
        #expect(state.status == nil)
    }

    @Test func aFailedImageKeepsThePreviousImageAndAnalysis() {
        var state = Synthetic.loadedState()
        _ = state.handle(.key("o"))
        _ = state.handle(.directoryListed(path: "/data/images",
                                          .success([DirectoryEntry(name: "bad.png", isDirectory: false)])))
        let ticket = Self.tickets(state.handle(.key(.enter)))[0]
        #expect(state.handle(.finished(ticket: ticket, .failed("/data/images/bad.png: not a PNG file"))).isEmpty)
        #expect(state.status == .error("/data/images/bad.png: not a PNG file"))
        #expect(state.imagePath == Synthetic.imagePath && state.analysis != nil && state.model != nil)
    }

    @Test func aFailedModelSwitchKeepsThePreviousModel() {
        var state = Synthetic.loadedState()
        let ticket = Self.tickets(state.execute(palette: "Switch model: tiny-vit"))[0]
        _ = state.handle(.finished(ticket: ticket, .failed("tiny-vit: no such model")))
        #expect(state.model == Synthetic.model && state.modelReference == Synthetic.modelReference)
        #expect(state.status?.isError == true)
    }

    @Test func aNewModelResetsTheTargetAndReanalyses() {
        var state = Synthetic.loadedState()
        _ = state.handle(.key("c"))
        #expect(state.targetClass != nil)
        let ticket = Self.tickets(state.execute(palette: "Switch model: tiny-vit"))[0]
        let effects = state.handle(.finished(ticket: ticket, .modelLoaded(Synthetic.model, reference: "tiny-vit")))
        #expect(state.targetClass == nil && state.analysis == nil)
        #expect(KeyTransitionTests.analysisRequests(effects) == [AnalysisRequest(policy: .scorer, budget: .keepRate(0.5))])
        #expect(state.recent.models.first == "tiny-vit")
    }

    @Test func progressAndTicksFeedTheStatusLine() {
        var state = Synthetic.loadedState()
        let ticket = Self.tickets(state.execute(palette: "Run sweep", thenEnter: true))[0]
        _ = state.handle(.progress(ticket: ticket, fraction: 0.4))
        #expect(state.running.first?.progress == 0.4)
        _ = state.handle(.progress(ticket: ticket, fraction: 7))
        #expect(state.running.first?.progress == 1)
        _ = state.handle(.tick)
        _ = state.handle(.tick)
        #expect(state.spinnerFrame == 2)
        let screen = render(state, size: TerminalSize(columns: 80, rows: 24))
        #expect(screen.lines[23].contains("sweep over 100 images of fashion-mnist"))
        _ = state.handle(.finished(ticket: ticket, .superseded))
        #expect(state.running.isEmpty && state.sweep == nil)
        _ = state.handle(.tick)
        #expect(state.spinnerFrame == 2, "the spinner rests when nothing runs")
    }

    @Test func exportsNeedAnAnalysisAndReportWhereTheyWrote() {
        var empty = WorkbenchState(embeddedModels: ["m"], workingDirectory: "/")
        #expect(empty.execute(palette: "Export JSON", thenEnter: true).isEmpty && empty.status?.isError == true)
        var state = Synthetic.loadedState()
        let effects = state.execute(palette: "Export PNG", thenEnter: true)
        #expect(effects == [.run(.exportPNG(view: .gradcam, path: "/data/glimpse-gradcam.png"), ticket: 4)])
        _ = state.handle(.finished(ticket: 4, .exported(path: "/data/glimpse-gradcam.png")))
        #expect(state.status == .info("wrote /data/glimpse-gradcam.png"))
    }

    @Test func onlyAnalysesAndSweepsAreSupersededInTheQueue() {
        let analyze = EngineJob.analyze(AnalysisRequest())
        #expect(analyze.isSuperseded(by: .analyze(AnalysisRequest(policy: .random))))
        #expect(EngineJob.sweep(dataset: "a", limit: 1).isSuperseded(by: .sweep(dataset: "b", limit: 2)))
        #expect(!EngineJob.loadImage(path: "a").isSuperseded(by: .loadImage(path: "b")))
        #expect(!analyze.isSuperseded(by: .loadImage(path: "b")))
    }

    @Test func informationDoesNotHideAnError() {
        var state = WorkbenchState(embeddedModels: ["m"], workingDirectory: "/")
        let effects = state.start(model: nil, image: nil)
        _ = state.handle(.notice(.error("state.json: ignored, not a valid state file")))
        Synthetic.deliverAll(effects, to: &state)
        #expect(state.model != nil && state.status?.isError == true)
        _ = state.handle(.key("g"))
        #expect(state.status == nil, "a key acknowledges the error")
    }

    @Test func runtimeNoticesShowInTheStatusLine() {
        var state = Synthetic.loadedState()
        _ = state.handle(.notice(.error("state.json: ignored, not a valid state file")))
        #expect(render(state, size: TerminalSize(columns: 80, rows: 24)).lines[23]
            .contains("state.json: ignored, not a valid state file"))
    }
}

extension WorkbenchState {
    /// Opens the palette, types `title`, runs the best match and, for
    /// prompts, accepts the suggested text.
    mutating func execute(palette title: String, thenEnter: Bool = false) -> [WorkbenchEffect] {
        _ = handle(.key(":"))
        for character in title { _ = handle(.key(.character(character))) }
        let effects = handle(.key(.enter))
        return thenEnter ? handle(.key(.enter)) : effects
    }
}
