import Foundation

/// The top row: view tabs, then the model and image names.
enum HeaderBar {
    static func draw(_ state: WorkbenchState, in rect: Rect, theme: Theme, into screen: inout Screen) {
        screen.fill(rect, style: theme.statusBar)
        var line = StyledLine(" glimpse ", theme.statusBar.adding(.bold))
        for view in state.availableViews {
            line.append(" ", theme.statusBar)
            line.append(" \(view.number) \(view.title) ", view == state.view ? theme.activeTab : theme.statusBar)
        }
        let used = line.width
        screen.write(line, row: rect.row, column: rect.column, width: rect.width)
        let names = [state.model?.name, state.imagePath.map { ($0 as NSString).lastPathComponent }]
            .compactMap { $0 }.joined(separator: " \(theme.glyphs.separator) ")
        let room = rect.width - used - 2
        guard room > 3, !names.isEmpty else { return }
        let shown = DisplayText.truncated(names, to: room)
        screen.write(shown, row: rect.row, column: rect.maxColumn - DisplayText.width(of: shown) - 1,
                     style: theme.statusBar)
    }
}
