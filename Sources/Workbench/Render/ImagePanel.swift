/// The image panel: the current view of the analysis, scaled to fit.
enum ImagePanel {
    static func draw(_ state: WorkbenchState, in rect: Rect, theme: Theme, into screen: inout Screen) {
        let canvas = screen.drawPanel(rect, title: panelTitle(state), theme: theme)
        guard let analysis = state.analysis, let placement = ImagePlacement(canvas: canvas, analysis: analysis) else {
            let message = placeholder(state)
            screen.write(message, row: canvas.row + canvas.height / 2,
                         column: canvas.column + max(0, (canvas.width - DisplayText.width(of: message)) / 2),
                         width: canvas.width, style: theme.muted)
            return
        }
        let composer = ImageComposer(analysis: analysis, view: state.view, opacity: Float(state.heatmapOpacity),
                                     cursor: state.cursor, showsGrid: state.showsGrid)
        let fit = placement.fit
        if theme.usesColour {
            HalfBlockPainter.paint(composer.colourRaster(width: fit.width, height: fit.height), into: &screen,
                                   row: placement.originRow, column: placement.originColumn)
        } else {
            AsciiPainter.paint(composer.intensities(width: fit.width, height: fit.height), width: fit.width,
                               height: fit.height, into: &screen, row: placement.originRow, column: placement.originColumn)
            markCursor(composer.grid(width: fit.width, height: fit.height), cursor: state.cursor,
                       placement: placement, into: &screen)
        }
    }

    private static func panelTitle(_ state: WorkbenchState) -> String {
        var title = "\(state.view.number) \(state.view.title)"
        if let grid = state.gridSize { title += "  \(grid.rows)×\(grid.columns) tokens" }
        return title
    }

    private static func placeholder(_ state: WorkbenchState) -> String {
        if state.model == nil { return state.running.isEmpty ? "No model loaded" : "Loading model…" }
        if state.imagePath == nil { return "No image: press o to open one" }
        return "Analysing…"
    }

    /// Without colour the cursor token is drawn in reverse video.
    private static func markCursor(_ grid: TokenGrid, cursor: TokenPosition, placement: ImagePlacement,
                                   into screen: inout Screen) {
        let pixelRows = grid.pixelRows(ofRow: cursor.row), pixelColumns = grid.pixelColumns(ofColumn: cursor.column)
        guard !pixelRows.isEmpty, !pixelColumns.isEmpty else { return }
        let firstRow = pixelRows.lowerBound / 2, lastRow = (pixelRows.upperBound - 1) / 2
        screen.restyle(Rect(column: placement.originColumn + pixelColumns.lowerBound, row: placement.originRow + firstRow,
                            width: pixelColumns.count, height: lastRow - firstRow + 1)) { $0.attributes.insert(.reverse) }
    }
}
