import Testing
import Workbench

@Suite struct KeymapTests {
    /// Every action, listed through a switch so that a new action fails to compile here until it is added.
    static let allActions: [KeyAction] = {
        func covered(_ action: KeyAction) {
            switch action {
            case .increaseBudget, .decreaseBudget, .toggleBudgetMode, .cyclePolicy, .cycleTargetClass,
                 .moveUp, .moveDown, .moveLeft, .moveRight, .nextView, .previousView, .showView,
                 .increaseOpacity, .decreaseOpacity, .toggleGrid, .togglePlot,
                 .openBrowser, .showHelp, .openPalette, .redraw, .quit,
                 .close, .selectPrevious, .selectNext, .confirm, .parentDirectory, .deleteBackward, .clearInput: break
            }
        }
        let actions: [KeyAction] = [
            .increaseBudget, .decreaseBudget, .toggleBudgetMode, .cyclePolicy, .cycleTargetClass,
            .moveUp, .moveDown, .moveLeft, .moveRight, .nextView, .previousView,
            .increaseOpacity, .decreaseOpacity, .toggleGrid, .togglePlot,
            .openBrowser, .showHelp, .openPalette, .redraw, .quit,
            .close, .selectPrevious, .selectNext, .confirm, .parentDirectory, .deleteBackward, .clearInput,
        ] + ViewKind.allCases.map(KeyAction.showView)
        actions.forEach(covered)
        return actions
    }()

    @Test func everyActionHasAKeyAndAHelpLine() {
        for action in Self.allActions {
            let bindings = Keymap.bindings.filter { $0.action == action }
            #expect(!bindings.isEmpty, "\(action) has no binding")
            for binding in bindings {
                #expect(!binding.keys.isEmpty && !binding.description.isEmpty, "\(action)")
            }
        }
    }

    @Test func noKeyIsBoundTwiceInOneMode() {
        for mode in KeyMode.allCases {
            let keys = Keymap.bindings(in: mode).flatMap(\.keys)
            #expect(Set(keys).count == keys.count, "duplicate key in \(mode)")
        }
    }

    @Test func everyOverlayCanBeClosedWithEscape() {
        for mode in KeyMode.allCases where mode != .workbench {
            #expect(Keymap.action(for: .escape, in: mode) == .close, "\(mode)")
        }
    }

    @Test func theBriefsKeysAreBound() {
        let expected: [(KeyPress, KeyAction)] = [
            ("+", .increaseBudget), ("-", .decreaseBudget), ("t", .toggleBudgetMode), ("p", .cyclePolicy),
            (.up, .moveUp), ("k", .moveUp), (.down, .moveDown), ("j", .moveDown), (.left, .moveLeft), ("h", .moveLeft),
            (.right, .moveRight), ("l", .moveRight), ("c", .cycleTargetClass), ("o", .openBrowser), ("?", .showHelp),
            (":", .openPalette), (.control("p"), .openPalette), ("q", .quit), (.control("l"), .redraw),
            ("[", .decreaseOpacity), ("]", .increaseOpacity), (.tab, .nextView), (.backTab, .previousView),
        ] + ViewKind.allCases.map { (KeyPress.character(Character("\($0.number)")), KeyAction.showView($0)) }
        for (key, action) in expected {
            #expect(Keymap.action(for: key, in: .workbench) == action, "\(key.label)")
        }
        #expect(Keymap.action(for: .enter, in: .browser) == .confirm)
        #expect(Keymap.action(for: .backspace, in: .browser) == .parentDirectory)
    }

    @Test func markdownListsEveryBindingOnce() {
        let markdown = Keymap.markdown()
        for binding in Keymap.bindings {
            #expect(markdown.contains("| \(binding.description) |"), "\(binding.description)")
        }
        #expect(markdown.contains("| `:`, `Ctrl-P` | Open the command palette |"))
        #expect(markdown.components(separatedBy: "### ").count - 1 == KeyMode.allCases.count)
    }

    @Test func helpShowsEveryBinding() {
        let helpBindings = HelpContent.lines.filter { if case .binding = $0 { true } else { false } }
        #expect(helpBindings.count == Keymap.bindings.count)
    }

    @Test func controlCharactersDecodeToKeys() {
        #expect(KeyPress.decoding("\u{10}") == .control("p"))
        #expect(KeyPress.decoding("\u{0C}") == .control("l"))
        #expect(KeyPress.decoding("\u{1B}") == .escape)
        #expect(KeyPress.decoding("\u{7F}") == .backspace)
        #expect(KeyPress.decoding("\r") == .enter)
        #expect(KeyPress.decoding("é") == .character("é"))
        #expect(KeyPress.decoding("\u{1C}") == nil)
    }
}
