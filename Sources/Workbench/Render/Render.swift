/// Draws the whole workbench for a terminal of `size`. Pure: the same
/// state and size always give the same screen.
public func render(_ state: WorkbenchState, size: TerminalSize) -> Screen {
    var screen = Screen(size: size)
    let theme = state.asciiMode ? Theme.ascii : Theme.colour
    guard let layout = WorkbenchLayout(size: size, showsPlot: state.showsPlot && state.sweep != nil) else {
        drawTooSmall(size: size, theme: theme, into: &screen)
        return screen
    }
    HeaderBar.draw(state, in: layout.header, theme: theme, into: &screen)
    ImagePanel.draw(state, in: layout.imagePanel, theme: theme, into: &screen)
    SidePanel.draw(state, in: layout.sidePanel, theme: theme, into: &screen)
    if let plotPanel = layout.plotPanel, let sweep = state.sweep {
        PlotPanel.draw(sweep, source: state.sweepSource ?? state.sweepDataset, in: plotPanel, theme: theme, into: &screen)
    }
    StatusLine.draw(state, in: layout.statusLine, theme: theme, into: &screen)
    switch state.overlay {
    case .help(let scroll): HelpOverlay.draw(scroll: scroll, theme: theme, into: &screen)
    case .palette(let palette): ListOverlays.drawPalette(palette, state: state, theme: theme, into: &screen)
    case .browser(let browser): ListOverlays.drawBrowser(browser, theme: theme, into: &screen)
    case .prompt, nil: break
    }
    return screen
}

/// The message shown instead of the workbench below the minimum size,
/// wrapped at word boundaries to the terminal's width.
private func drawTooSmall(size: TerminalSize, theme: Theme, into screen: inout Screen) {
    let minimum = WorkbenchLayout.minimumSize
    let times = theme.usesColour ? "×" : "x"
    let message = "terminal too small (need \(minimum.columns)\(times)\(minimum.rows), "
        + "have \(size.columns)\(times)\(size.rows))"
    var lines = [String]()
    for word in message.split(separator: " ").map(String.init) {
        if let last = lines.last, last.count + 1 + word.count <= size.columns {
            lines[lines.count - 1] = last + " " + word
        } else {
            lines.append(word)
        }
    }
    let top = max(0, (size.rows - lines.count) / 2)
    for (offset, line) in lines.enumerated() {
        screen.write(line, row: top + offset, column: max(0, (size.columns - line.count) / 2), style: theme.error)
    }
}
