import Methods

/// Where each panel goes at a given terminal size.
public struct WorkbenchLayout: Equatable, Sendable {
    public static let minimumSize = TerminalSize(columns: 80, rows: 24)

    public let header: Rect
    public let imagePanel: Rect
    public let sidePanel: Rect
    /// The sweep plot, across the bottom, when one is shown.
    public let plotPanel: Rect?
    public let statusLine: Rect

    /// Nil below the minimum size.
    public init?(size: TerminalSize, showsPlot: Bool) {
        guard size.columns >= Self.minimumSize.columns, size.rows >= Self.minimumSize.rows else { return nil }
        let bodyHeight = size.rows - 2
        let plotHeight = showsPlot ? max(9, bodyHeight * 2 / 5) : 0
        let topHeight = bodyHeight - plotHeight
        let sideWidth = min(48, max(34, size.columns * 3 / 10))
        header = Rect(column: 0, row: 0, width: size.columns, height: 1)
        imagePanel = Rect(column: 0, row: 1, width: size.columns - sideWidth, height: topHeight)
        sidePanel = Rect(column: size.columns - sideWidth, row: 1, width: sideWidth, height: topHeight)
        plotPanel = showsPlot ? Rect(column: 0, row: 1 + topHeight, width: size.columns, height: plotHeight) : nil
        statusLine = Rect(column: 0, row: size.rows - 1, width: size.columns, height: 1)
    }

    /// The cells inside the image panel's frame.
    public var imageCanvas: Rect { imagePanel.inset(by: 1) }
}

/// Where the displayed image lands inside the image canvas.
public struct ImagePlacement: Equatable, Sendable {
    public let canvas: Rect
    public let fit: ImageFit

    public init?(canvas: Rect, imageWidth: Int, imageHeight: Int) {
        guard let fit = ImageFit.fitting(imageWidth: imageWidth, imageHeight: imageHeight,
                                         canvasWidth: canvas.width, canvasHeight: canvas.height * 2) else { return nil }
        self.canvas = canvas
        self.fit = fit
    }

    /// Placement of an analysis's display image; nil when its shape is not [C, H, W].
    public init?(canvas: Rect, analysis: Analysis) {
        let shape = analysis.displayImage.shape
        guard shape.count == 3 else { return nil }
        self.init(canvas: canvas, imageWidth: shape[2], imageHeight: shape[1])
    }

    /// The cell of the image's top-left pixel.
    public var originRow: Int { canvas.row + fit.y / 2 }
    public var originColumn: Int { canvas.column + fit.x }

    /// The image pixel shown in the top half of a screen cell, or nil off the image.
    public func pixel(row: Int, column: Int) -> (x: Int, y: Int)? {
        let x = column - originColumn, y = (row - originRow) * 2
        guard x >= 0, x < fit.width, y >= 0, y < fit.height else { return nil }
        return (x, y)
    }
}
