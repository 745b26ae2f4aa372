import Testing
import Workbench

/// Rendered screens against golden files at several sizes and in each mode.
@Suite struct SnapshotTests {
    static let small = TerminalSize(columns: 80, rows: 24)
    static let medium = TerminalSize(columns: 120, rows: 40)
    static let large = TerminalSize(columns: 200, rows: 60)

    /// Applies keys the way a user would type them.
    static func press(_ keys: [KeyPress], on state: inout WorkbenchState) {
        for key in keys { Synthetic.deliverAll(state.handle(.key(key)), to: &state) }
    }

    /// A golden screen: the keys a user types on the loaded synthetic state, at a size.
    struct Scenario: Sendable, CustomTestStringConvertible {
        let name: String
        let size: TerminalSize
        var ascii = false
        let keys: [KeyPress]
        var testDescription: String { name }
    }

    static let scenarios = [
        Scenario(name: "gradcam-80x24", size: small, keys: [.right, .right, .down]),
        Scenario(name: "pruned-grid-120x40", size: medium, keys: ["4", "g", "l", "j", "j"]),
        Scenario(name: "scorer-sweep-200x60", size: large, keys: ["3", ":", "r", "u", "n", " ", "s", "w", .enter, .enter]),
        Scenario(name: "ascii-pruned-80x24", size: small, ascii: true, keys: ["4"]),
        Scenario(name: "palette-80x24", size: small, keys: [":", "k", "e", "e", "p"]),
        Scenario(name: "help-120x40", size: medium, keys: ["?"]),
        Scenario(name: "prompt-error-80x24", size: small,
                 keys: [":", "s", "e", "t", " ", "k", "e", "e", "p", .enter, .control("u"), "x", .enter]),
    ]

    @Test(arguments: scenarios)
    func scenario(_ scenario: Scenario) {
        var state = Synthetic.loadedState(size: scenario.size, ascii: scenario.ascii)
        Self.press(scenario.keys, on: &state)
        Snapshot.assertMatches(render(state, size: scenario.size), named: scenario.name)
    }

    @Test func browserAt80x24() {
        var state = Synthetic.loadedState(size: Self.small)
        Self.press(["o"], on: &state)
        let entries = [DirectoryEntry(name: "birds", isDirectory: true), DirectoryEntry(name: "cat.png", isDirectory: false),
                       DirectoryEntry(name: "sneaker.png", isDirectory: false)]
        _ = state.handle(.directoryListed(path: "/data/images", .success(entries)))
        Self.press([.down], on: &state)
        Snapshot.assertMatches(render(state, size: Self.small), named: "browser-80x24")
    }

    @Test func promptWithErrorAt80x24() {
        var state = Synthetic.loadedState(size: Self.small)
        Self.press([":", "s", "e", "t", " ", "k", "e", "e", "p", .enter, .control("u"), "x", .enter], on: &state)
        Snapshot.assertMatches(render(state, size: Self.small), named: "prompt-error-80x24")
    }

    /// Shrinking below the minimum shows the message; growing back restores the same screen.
    @Test func shrinkThenGrow() {
        var state = Synthetic.loadedState(size: Self.medium)
        let before = render(state, size: Self.medium)
        Snapshot.assertMatches(before, named: "gradcam-120x40")
        let tooSmall = TerminalSize(columns: 79, rows: 23)
        _ = state.handle(.resize(tooSmall))
        Snapshot.assertMatches(render(state, size: tooSmall), named: "too-small-79x23")
        _ = state.handle(.resize(Self.medium))
        #expect(render(state, size: Self.medium) == before)
    }

    @Test func tinyTerminalsDoNotCrash() {
        let state = Synthetic.loadedState()
        for size in [TerminalSize(columns: 0, rows: 0), TerminalSize(columns: 1, rows: 1),
                     TerminalSize(columns: 12, rows: 3), TerminalSize(columns: 80, rows: 23)] {
            let screen = render(state, size: size)
            #expect(screen.size == size)
        }
    }
}
