import CNcurses

/// What the keyboard, mouse or terminal reported.
enum TerminalInput {
    case key(KeyPress)
    case click(row: Int, column: Int)
    case resize
}

/// Draws screens with ncursesw and reads input. Only cells that changed
/// since the previous frame are written.
final class NcursesTerminal {
    let hasColour: Bool
    private var pairs: ColorPairCache
    private var previous: Screen?
    private var isRunning = true

    /// Starts curses; nil when the terminal cannot be initialised.
    init?(mouse: Bool, pollMilliseconds: Int32) {
        guard glimpse_start(pollMilliseconds, mouse) else { return nil }
        // The colour theme needs the 256-colour palette; with fewer colours
        // the workbench falls back to ASCII.
        hasColour = glimpse_colour_count() >= 256 && glimpse_pair_capacity() > 0
        pairs = ColorPairCache(capacity: Int(glimpse_pair_capacity()))
    }

    deinit { stop() }

    func stop() {
        guard isRunning else { return }
        isRunning = false
        glimpse_stop()
    }

    var size: TerminalSize {
        var rows: Int32 = 0, columns: Int32 = 0
        glimpse_screen_size(&rows, &columns)
        return TerminalSize(columns: Int(columns), rows: Int(rows))
    }

    /// Forgets the previous frame and makes curses repaint everything.
    func invalidate() {
        previous = nil
        glimpse_invalidate()
    }

    func draw(_ screen: Screen) {
        let reference = previous?.size == screen.size ? previous : nil
        var evicted = false
        for row in 0..<screen.size.rows {
            for column in 0..<screen.size.columns {
                let cell = screen[row, column]
                if let reference, reference[row, column] == cell { continue }
                evicted = put(cell, row: row, column: column) || evicted
            }
        }
        glimpse_refresh()
        // A reused pair recoloured cells of earlier frames: repaint them all
        // next time, unless this was already a full repaint.
        previous = evicted && reference != nil ? nil : screen
    }

    /// Writes one cell; true when a colour pair had to be reused.
    private func put(_ cell: Cell, row: Int, column: Int) -> Bool {
        var pair = 0
        var evicted = false
        if hasColour, cell.style.foreground != .terminalDefault || cell.style.background != .terminalDefault {
            let assignment = pairs.assign(foreground: cell.style.foreground, background: cell.style.background)
            if assignment.needsDefinition {
                _ = glimpse_define_pair(Int32(assignment.pair), Int32(cell.style.foreground.index),
                                        Int32(cell.style.background.index))
            }
            pair = assignment.pair
            evicted = assignment.evicted
        }
        glimpse_put_cell(Int32(row), Int32(column), cell.character.value, UInt32(cell.style.attributes.rawValue),
                         Int32(pair))
        return evicted
    }

    /// Waits up to the polling interval for input; nil when none came.
    func readInput() -> TerminalInput? {
        let input = glimpse_read_input()
        switch input.kind {
        case GLIMPSE_INPUT_CHARACTER:
            return Unicode.Scalar(input.codepoint).flatMap(KeyPress.decoding).map(TerminalInput.key)
        case GLIMPSE_INPUT_KEY:
            return Self.functionKey(input.key).map(TerminalInput.key)
        case GLIMPSE_INPUT_RESIZE:
            return .resize
        case GLIMPSE_INPUT_CLICK:
            return .click(row: Int(input.row), column: Int(input.column))
        default:
            return nil
        }
    }

    private static func functionKey(_ key: glimpse_key) -> KeyPress? {
        switch key {
        case GLIMPSE_KEY_UP: .up
        case GLIMPSE_KEY_DOWN: .down
        case GLIMPSE_KEY_LEFT: .left
        case GLIMPSE_KEY_RIGHT: .right
        case GLIMPSE_KEY_ENTER: .enter
        case GLIMPSE_KEY_BACKSPACE: .backspace
        case GLIMPSE_KEY_BACKTAB: .backTab
        case GLIMPSE_KEY_HOME: .home
        case GLIMPSE_KEY_END: .end
        case GLIMPSE_KEY_PAGE_UP: .pageUp
        case GLIMPSE_KEY_PAGE_DOWN: .pageDown
        case GLIMPSE_KEY_DELETE: .delete
        default: nil
        }
    }
}
