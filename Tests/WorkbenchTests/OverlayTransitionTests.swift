import Testing
import Workbench

/// Keys inside the palette, prompt, file browser and help.
@Suite struct OverlayTransitionTests {
    static func type(_ text: String, into state: inout WorkbenchState) {
        for character in text { _ = state.handle(.key(.character(character))) }
    }

    @Test func paletteFiltersAsYouTypeAndRunsTheSelection() {
        var state = Synthetic.loadedState()
        _ = state.handle(.key(":"))
        Self.type("rollout", into: &state)
        #expect(state.overlay == .palette(PaletteState(query: "rollout", selection: 0)))
        _ = state.handle(.key(.enter))
        #expect(state.overlay == nil && state.view == .rollout)
    }

    @Test func paletteKeysThatMeanSomethingElseOutsideItAreTyped() {
        var state = Synthetic.loadedState()
        _ = state.handle(.key(":"))
        Self.type("q+jk", into: &state)
        #expect(!state.shouldQuit && state.keepRate == 0.5)
        #expect(state.overlay == .palette(PaletteState(query: "q+jk", selection: 0)))
        _ = state.handle(.key(.backspace))
        #expect(state.overlay == .palette(PaletteState(query: "q+j", selection: 0)))
        _ = state.handle(.key(.control("u")))
        #expect(state.overlay == .palette(PaletteState(query: "", selection: 0)))
    }

    @Test func paletteSelectionMovesWithinTheMatches() {
        var state = Synthetic.loadedState()
        _ = state.handle(.key(":"))
        _ = state.handle(.key(.up))
        #expect(state.overlay == .palette(PaletteState(query: "", selection: 0)))
        _ = state.handle(.key(.down))
        _ = state.handle(.key(.control("n")))
        #expect(state.overlay == .palette(PaletteState(query: "", selection: 2)))
        Self.type("zzzz", into: &state)
        _ = state.handle(.key(.down))
        #expect(state.handle(.key(.enter)).isEmpty && state.overlay == nil, "Enter with no match just closes")
    }

    @Test func paletteOffersOnlyWhatTheModelProvides() {
        let titles = Synthetic.loadedState().paletteItems.map(\.title)
        #expect(titles.contains("View: Scorer") && !titles.contains("View: Early exits"))
        #expect(titles.contains("Set policy: scorer") && titles.contains("Switch model: tiny-vit"))
        #expect(titles.contains("Target class: Sandal"))
        #expect(!titles.contains("Open the command palette"), "actions without a palette title stay out")
    }

    @Test func promptCommandsParseTheirArgument() {
        var state = Synthetic.loadedState()
        _ = state.handle(.key(":"))
        Self.type("set keep", into: &state)
        _ = state.handle(.key(.enter))
        guard case .prompt(let prompt) = state.overlay else { Issue.record("no prompt"); return }
        #expect(prompt.kind == .keepRate && prompt.text == "50%")
        _ = state.handle(.key(.control("u")))
        Self.type("30%", into: &state)
        let effects = state.handle(.key(.enter))
        #expect(state.overlay == nil && state.keepRate == 0.3)
        #expect(KeyTransitionTests.analysisRequests(effects).first?.budget == .keepRate(0.3))
    }

    @Test func badPromptInputStaysOpenWithAReason() {
        var state = Synthetic.loadedState()
        _ = state.handle(.key(":"))
        Self.type("set threshold", into: &state)
        _ = state.handle(.key(.enter))
        _ = state.handle(.key(.control("u")))
        Self.type("2", into: &state)
        #expect(state.handle(.key(.enter)).isEmpty)
        guard case .prompt(let prompt) = state.overlay else { Issue.record("prompt closed"); return }
        #expect(prompt.error == "2: threshold must be a number in 0…1")
        _ = state.handle(.key(.backspace))
        guard case .prompt(let edited) = state.overlay else { Issue.record("prompt closed"); return }
        #expect(edited.error == nil, "editing clears the error")
        _ = state.handle(.key(.escape))
        #expect(state.overlay == nil && state.threshold == 0.5)
    }

    @Test func promptParsing() throws {
        func parse(_ kind: PromptKind, _ text: String) -> Result<WorkbenchCommand, PromptError> {
            kind.command(from: text, workingDirectory: "/work", labels: Synthetic.labels)
        }
        #expect(try parse(.keepRate, "0.25").get() == .setKeepRate(0.25))
        #expect(try parse(.keepRate, "40").get() == .setKeepRate(0.4))
        #expect((try? parse(.keepRate, "0").get()) == nil)
        #expect((try? parse(.keepRate, "abc").get()) == nil)
        #expect(try parse(.threshold, "0.7").get() == .setThreshold(0.7))
        #expect(try parse(.targetClass, "sneaker").get() == .setTargetClass(7))
        #expect(try parse(.targetClass, "3").get() == .setTargetClass(3))
        #expect(try parse(.targetClass, "auto").get() == .setTargetClass(nil))
        #expect((try? parse(.targetClass, "42").get()) == nil)
        #expect(try parse(.imagePath, "img/a.png").get() == .openImage("/work/img/a.png"))
        #expect(try parse(.modelPath, "tiny-vit").get() == .loadModel("tiny-vit"))
        #expect(try parse(.modelPath, "./models/vit").get() == .loadModel("/work/models/vit"))
        #expect(try parse(.sweep, "/data/fmnist 250").get() == .sweep(dataset: "/data/fmnist", limit: 250))
        #expect(try parse(.sweep, "/data/my set").get() == .sweep(dataset: "/data/my set", limit: 100))
        #expect((try? parse(.sweep, "/data 0").get()) == nil)
        #expect((try? parse(.exportPNG, "   ").get()) == nil)
    }

    @Test func browserNavigatesFoldersAndOpensImages() {
        var state = Synthetic.loadedState()
        _ = state.handle(.key("o"))
        let entries = [DirectoryEntry(name: "birds", isDirectory: true), DirectoryEntry(name: "cat.png", isDirectory: false)]
        _ = state.handle(.directoryListed(path: "/data/images", .success(entries)))
        #expect(state.handle(.key(.enter)) == [.listDirectory("/data/images/birds")])
        #expect(state.overlay == .browser(BrowserState(directory: "/data/images/birds")))
        _ = state.handle(.directoryListed(path: "/data/images/birds", .failure(ListingError(description: "denied"))))
        guard case .browser(let failed) = state.overlay else { Issue.record("browser closed"); return }
        #expect(failed.error == "denied" && !failed.isLoading)
        #expect(state.handle(.key(.backspace)) == [.listDirectory("/data/images")])
        _ = state.handle(.directoryListed(path: "/data/images", .success(entries)))
        _ = state.handle(.key("j"))
        _ = state.handle(.key("j"))
        let effects = state.handle(.key(.enter))
        guard case .run(.loadImage(let path), _) = effects.first else { Issue.record("no load"); return }
        #expect(path == "/data/images/cat.png" && state.overlay == nil)
    }

    @Test func browserIgnoresListingsOfFoldersItLeft() {
        var state = Synthetic.loadedState()
        _ = state.handle(.key("o"))
        _ = state.handle(.directoryListed(path: "/elsewhere", .success([DirectoryEntry(name: "x", isDirectory: true)])))
        #expect(state.overlay == .browser(BrowserState(directory: "/data/images")))
        #expect(state.handle(.key(.enter)).isEmpty, "Enter on an empty listing does nothing")
    }

    @Test func parentOfRootIsRoot() {
        #expect(DirectoryListing.parent(of: "/") == "/")
        #expect(DirectoryListing.parent(of: "/data") == "/")
        #expect(DirectoryListing.parent(of: "/data/images") == "/data")
    }

    @Test func helpScrollsWithinItsLines() {
        var state = Synthetic.loadedState()
        _ = state.handle(.key("?"))
        _ = state.handle(.key("k"))
        #expect(state.overlay == .help(scroll: 0))
        for _ in 0..<500 { _ = state.handle(.key("j")) }
        #expect(state.overlay == .help(scroll: HelpContent.lines.count - 1))
        _ = state.handle(.key("q"))
        #expect(!state.shouldQuit, "q does not quit from the help")
        _ = state.handle(.key(.escape))
        #expect(state.overlay == nil)
    }
}
