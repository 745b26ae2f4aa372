import Testing
import Workbench

@Suite struct FuzzyMatcherTests {
    @Test func matchesSubsequencesCaseInsensitively() {
        let match = FuzzyMatcher.match("skr", in: "Set keep rate")
        #expect(match?.positions == [0, 4, 9])
        #expect(FuzzyMatcher.match("SET", in: "set policy") != nil)
    }

    @Test func rejectsWhatIsNotASubsequence() {
        #expect(FuzzyMatcher.match("xyz", in: "Set keep rate") == nil)
        #expect(FuzzyMatcher.match("rate keep", in: "keep rate") == nil)
        #expect(FuzzyMatcher.match("longer than it", in: "short") == nil)
    }

    @Test func emptyQueryMatchesEverythingWithoutPositions() {
        #expect(FuzzyMatcher.match("", in: "anything") == FuzzyMatch(score: 0, positions: []))
    }

    @Test func contiguousRunsBeatScatteredLetters() {
        let contiguous = FuzzyMatcher.match("abc", in: "abcxyz")!, scattered = FuzzyMatcher.match("abc", in: "axbxcx")!
        #expect(contiguous.score > scattered.score)
    }

    @Test func wordStartsBeatLettersInsideWords() {
        let starts = FuzzyMatcher.match("sp", in: "Set policy")!, inside = FuzzyMatcher.match("sp", in: "inspect")!
        #expect(starts.score > inside.score)
    }

    @Test func findsTheBestAlignmentNotTheFirst() {
        // Greedy leftmost would take the "e" of "Open"; the word start "export" is better.
        let match = FuzzyMatcher.match("ex", in: "Open export")!
        #expect(match.positions == [5, 6])
    }

    @Test func ranksBestFirstThenShorterThenOriginalOrder() {
        let titles = ["Toggle token grid", "Set keep rate…", "Raise keep rate / threshold", "Lower keep rate / threshold"]
        let ranked = FuzzyMatcher.rank(titles, query: "keep rate") { $0 }.map(\.item)
        #expect(ranked == ["Set keep rate…", "Raise keep rate / threshold", "Lower keep rate / threshold"])
        #expect(FuzzyMatcher.rank(["bb", "b", "a"], query: "") { $0 }.map(\.item) == ["b", "a", "bb"])
    }

    @Test func paletteFindsViewsByFragment() {
        let state = Synthetic.loadedState()
        #expect(state.rankedPaletteItems(query: "grad").first?.item.title == "View: Grad-CAM")
        #expect(state.rankedPaletteItems(query: "png").first?.item.command == .ask(.exportPNG))
    }
}
