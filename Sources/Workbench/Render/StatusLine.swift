import Foundation

/// The bottom row: job progress and messages on the left, key hints on
/// the right; or the open prompt.
enum StatusLine {
    static func draw(_ state: WorkbenchState, in rect: Rect, theme: Theme, into screen: inout Screen) {
        screen.fill(rect, style: theme.statusBar)
        let errorStyle = CellStyle(foreground: theme.error.foreground, background: theme.statusBar.background,
                                   attributes: theme.error.attributes)
        if case .prompt(let prompt) = state.overlay {
            let cursor = theme.usesColour ? "█" : "_"
            var line = StyledLine(" \(prompt.kind.title): ", theme.statusBar.adding(.bold))
                .appending(prompt.text + cursor, theme.statusBar)
            if let error = prompt.error { line.append("  " + error, errorStyle) }
            screen.write(line, row: rect.row, column: rect.column, width: rect.width)
            return
        }
        var line = StyledLine(" ", theme.statusBar)
        if let job = state.running.last {
            let glyphs = theme.glyphs
            line.append(glyphs.spinner[state.spinnerFrame % glyphs.spinner.count] + " " + job.job.label, theme.statusBar)
            if let progress = job.progress {
                line.append(" " + theme.barText(progress, width: 10), theme.statusBar.adding(.bold))
                line.append(String(format: " %3.0f%%", progress * 100), theme.statusBar)
            }
            line.append("  ", theme.statusBar)
        }
        if let status = state.status {
            line.append(status.text, status.isError ? errorStyle : theme.statusBar)
        }
        let hints = Keymap.hints(in: state.keyMode) + " "
        let hintsWidth = DisplayText.width(of: hints)
        let room = rect.width - hintsWidth - 1
        screen.write(line, row: rect.row, column: rect.column, width: line.width <= room ? room : rect.width)
        if line.width <= room {
            screen.write(hints, row: rect.row, column: rect.maxColumn - hintsWidth, style: theme.statusBar.adding(.dim))
        }
    }
}
