import Methods
import Testing
import Workbench

/// Workbench-mode keys as pure state transitions.
@Suite struct KeyTransitionTests {
    /// The analysis jobs among `effects`.
    static func analysisRequests(_ effects: [WorkbenchEffect]) -> [AnalysisRequest] {
        effects.compactMap { effect in
            if case .run(.analyze(let request), _) = effect { return request }
            return nil
        }
    }

    @Test func plusAndMinusStepTheKeepRateAndReanalyse() {
        var state = Synthetic.loadedState()
        let effects = state.handle(.key("+"))
        #expect(state.keepRate == 0.55)
        #expect(Self.analysisRequests(effects) == [AnalysisRequest(policy: .scorer, budget: .keepRate(0.55))])
        _ = state.handle(.key("-"))
        _ = state.handle(.key("-"))
        #expect(state.keepRate == 0.45)
        _ = state.handle(.key("="))
        #expect(state.keepRate == 0.5)
    }

    @Test func keepRateStaysWithinBounds() {
        var state = Synthetic.loadedState()
        for _ in 0..<30 { _ = state.handle(.key("+")) }
        #expect(state.keepRate == 1)
        for _ in 0..<30 { _ = state.handle(.key("-")) }
        #expect(state.keepRate == 0.05)
    }

    @Test func tSwitchesToThresholdModeWherePlusMinusMoveTheThreshold() {
        var state = Synthetic.loadedState()
        let effects = state.handle(.key("t"))
        #expect(state.budgetMode == .threshold)
        #expect(Self.analysisRequests(effects).first?.budget == .threshold(0.5))
        _ = state.handle(.key("+"))
        #expect(state.threshold == 0.55 && state.keepRate == 0.5)
        _ = state.handle(.key("t"))
        #expect(state.budgetMode == .keepRate)
    }

    @Test func pCyclesThePoliciesTheModelSupports() {
        var state = Synthetic.loadedState()
        var seen = [PruningPolicy]()
        for _ in PruningPolicy.allCases {
            _ = state.handle(.key("p"))
            seen.append(state.policy)
        }
        #expect(seen == [.gradcam, .clsAttention, .none, .random, .scorer])

        var noScorer = WorkbenchState(embeddedModels: ["m"], workingDirectory: "/")
        var model = Synthetic.model
        model.capabilities = []
        Synthetic.deliverAll(noScorer.start(model: "m", image: nil), to: &noScorer) { _ in
            .modelLoaded(model, reference: "m")
        }
        #expect(noScorer.policy == .gradcam, "a model without a Scorer cannot keep the scorer policy")
        #expect(!noScorer.availableViews.contains(.scorer))
    }

    @Test func arrowsAndHjklMoveTheCursorWithinTheGrid() {
        var state = Synthetic.loadedState()
        for key: KeyPress in [.down, "j", .right, "l", "l"] { _ = state.handle(.key(key)) }
        #expect(state.cursor == TokenPosition(row: 2, column: 3))
        for key: KeyPress in [.up, "k", "k", .left, "h", "h", "h", "h"] { _ = state.handle(.key(key)) }
        #expect(state.cursor == TokenPosition(row: 0, column: 0))
        for _ in 0..<20 { _ = state.handle(.key("j")); _ = state.handle(.key("l")) }
        #expect(state.cursor == TokenPosition(row: 7, column: 7))
    }

    @Test func cCyclesTheTargetThroughTheTopFiveThenBackToAutomatic() {
        var state = Synthetic.loadedState()
        var targets = [Int?]()
        for _ in 0..<5 {
            let effects = state.handle(.key("c"))
            targets.append(state.targetClass)
            #expect(Self.analysisRequests(effects).first?.targetClass == state.targetClass)
        }
        #expect(targets == [5, 9, 8, 0, nil])
    }

    @Test func viewKeysSelectOfferedViewsOnly() {
        var state = Synthetic.loadedState()
        _ = state.handle(.key("1"))
        #expect(state.view == .image)
        _ = state.handle(.key("5"))
        #expect(state.view == .rollout)
        _ = state.handle(.key("6"))
        #expect(state.view == .rollout && state.status?.isError == false, "early exits are not offered")
        _ = state.handle(.key(.tab))
        #expect(state.view == .image, "Tab wraps after the last offered view")
        _ = state.handle(.key(.backTab))
        #expect(state.view == .rollout)
    }

    @Test func bracketsChangeTheOpacityWithinZeroToOne() {
        var state = Synthetic.loadedState()
        _ = state.handle(.key("]"))
        #expect(state.heatmapOpacity == 0.7)
        for _ in 0..<20 { _ = state.handle(.key("[")) }
        #expect(state.heatmapOpacity == 0)
        #expect(state.handle(.key("[")).isEmpty, "opacity is display only: no engine work")
    }

    @Test func gTogglesTheGridAndSTheSweepPlotOnceThereIsOne() {
        var state = Synthetic.loadedState()
        _ = state.handle(.key("g"))
        #expect(state.showsGrid)
        _ = state.handle(.key("s"))
        #expect(!state.showsPlot && state.status != nil)
        SnapshotTests.press([":", "r", "u", "n", " ", "s", "w", .enter, .enter], on: &state)
        #expect(state.showsPlot && state.sweep == Synthetic.sweep())
        _ = state.handle(.key("s"))
        #expect(!state.showsPlot)
    }

    @Test func overlayKeysOpenTheirOverlaysAndEscapeClosesThem() {
        var state = Synthetic.loadedState()
        #expect(state.handle(.key("o")) == [.listDirectory("/data/images")])
        #expect(state.keyMode == .browser)
        _ = state.handle(.key(.escape))
        #expect(state.overlay == nil)
        _ = state.handle(.key("?"))
        #expect(state.overlay == .help(scroll: 0))
        _ = state.handle(.key("?"))
        #expect(state.overlay == nil)
        _ = state.handle(.key(":"))
        #expect(state.keyMode == .palette)
        _ = state.handle(.key(.escape))
        _ = state.handle(.key(.control("p")))
        #expect(state.keyMode == .palette)
    }

    @Test func ctrlLRedrawsAndQQuits() {
        var state = Synthetic.loadedState()
        #expect(state.handle(.key(.control("l"))) == [.redraw])
        #expect(!state.shouldQuit)
        _ = state.handle(.key("q"))
        #expect(state.shouldQuit)
    }

    @Test func clickingTheImageSelectsTheTokenUnderIt() {
        var state = Synthetic.loadedState()
        // 80×24: canvas at column 1, row 2, 44×20 cells; a 64×64 image fits as 40×40 pixels from column 3.
        _ = state.handle(.click(row: 21, column: 42))
        #expect(state.cursor == TokenPosition(row: 7, column: 7))
        _ = state.handle(.click(row: 2, column: 3))
        #expect(state.cursor == TokenPosition(row: 0, column: 0))
        _ = state.handle(.click(row: 0, column: 0))
        #expect(state.cursor == TokenPosition(row: 0, column: 0), "clicks off the image change nothing")
    }

    @Test func keysBeforeAnythingLoadedDoNotCrashOrQueueWork() {
        var state = WorkbenchState(embeddedModels: [], workingDirectory: "/")
        for key: KeyPress in ["+", "-", "t", "p", "c", "h", "j", "k", "l", "1", "8", .tab, .backTab, "[", "]", "g", "s"] {
            #expect(state.handle(.key(key)).isEmpty, "\(key.label)")
        }
        _ = state.handle(.click(row: 5, column: 5))
        #expect(state.start(model: nil, image: nil).isEmpty && state.status?.isError == true)
    }
}
