import Testing
import Workbench

@Suite struct ScreenTests {
    @Test func writingClipsToTheScreenAndTheGivenWidth() {
        var screen = Screen(size: TerminalSize(columns: 6, rows: 2))
        #expect(screen.write("hello world", row: 0, column: 2, style: .plain) == 4)
        #expect(screen.write("abcdef", row: 1, column: 0, width: 3, style: .plain) == 3)
        #expect(screen.write("x", row: 5, column: 0, style: .plain) == 0)
        #expect(screen.write("x", row: 0, column: -3, style: .plain) == 0)
        #expect(screen.lines == ["  hell", "abc   "])
    }

    @Test func userTextIsMadeSingleWidth() {
        #expect(DisplayText.scalars(of: "a\tb") == ["a", "?", "b"])
        #expect(DisplayText.scalars(of: "猫.png") == ["?", ".", "p", "n", "g"])
        #expect(DisplayText.scalars(of: "e\u{301}") == ["e"])
        #expect(DisplayText.truncated("sneaker.png", to: 5) == "snea…")
        #expect(DisplayText.truncatedLeading("/data/images", to: 7) == "…images")
        #expect(DisplayText.truncated("abc", to: 0) == "")
    }

    @Test func barsFillInEighthsOrWholeCells() {
        #expect(Theme.colour.barText(0.5, width: 4) == "██  ")
        #expect(Theme.colour.barText(1 / 16, width: 2) == "▏ ")
        #expect(Theme.ascii.barText(0.5, width: 4) == "##  ")
        #expect(Theme.ascii.barText(.nan, width: 2) == "  ")
    }

    @Test func layoutSplitsThePanelsAndRefusesSmallTerminals() {
        #expect(WorkbenchLayout(size: TerminalSize(columns: 79, rows: 24), showsPlot: false) == nil)
        #expect(WorkbenchLayout(size: TerminalSize(columns: 80, rows: 23), showsPlot: false) == nil)
        let layout = WorkbenchLayout(size: TerminalSize(columns: 80, rows: 24), showsPlot: true)!
        #expect(layout.imagePanel.width + layout.sidePanel.width == 80)
        #expect(layout.imagePanel.height + layout.plotPanel!.height == 22)
        #expect(layout.statusLine.row == 23)
    }
}

@Suite struct ColorPairCacheTests {
    let red = PaletteColor(index: 196), blue = PaletteColor(index: 21), grey = PaletteColor(index: 244)

    @Test func reusesPairsForTheSameColours() {
        var cache = ColorPairCache(capacity: 4)
        #expect(cache.assign(foreground: red, background: blue) == .init(pair: 1, needsDefinition: true, evicted: false))
        #expect(cache.assign(foreground: blue, background: red) == .init(pair: 2, needsDefinition: true, evicted: false))
        #expect(cache.assign(foreground: red, background: blue) == .init(pair: 1, needsDefinition: false, evicted: false))
    }

    @Test func evictsTheLeastRecentlyUsedPairWhenFull() {
        var cache = ColorPairCache(capacity: 2)
        _ = cache.assign(foreground: red, background: blue)
        _ = cache.assign(foreground: blue, background: red)
        _ = cache.assign(foreground: red, background: blue)
        #expect(cache.assign(foreground: grey, background: .terminalDefault)
            == .init(pair: 2, needsDefinition: true, evicted: true))
        #expect(cache.assign(foreground: red, background: blue).needsDefinition == false)
        #expect(cache.assign(foreground: blue, background: red) == .init(pair: 2, needsDefinition: true, evicted: true))
    }
}
