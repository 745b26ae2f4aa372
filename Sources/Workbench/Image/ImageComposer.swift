import Methods

/// Draws one view of an analysis as pixels: the display image with a
/// heatmap, the pruned-token shading, the token grid and the cursor.
/// This is display arithmetic only; every value comes from the engine.
public struct ImageComposer: Sendable {
    public let analysis: Analysis
    public let view: ViewKind
    /// Heatmap weight over the image, 0...1.
    public let opacity: Float
    public let cursor: TokenPosition?
    public let showsGrid: Bool

    /// Outline colour of the token cursor; magenta is absent from Turbo.
    static let cursorColour = RGB(1, 0, 1)
    /// Luma weights (Rec. 709) for desaturating pruned tokens.
    static let lumaWeights = RGB(0.2126, 0.7152, 0.0722)

    public init(analysis: Analysis, view: ViewKind, opacity: Float, cursor: TokenPosition?, showsGrid: Bool) {
        self.analysis = analysis
        self.view = view
        self.opacity = min(max(opacity, 0), 1)
        self.cursor = cursor
        self.showsGrid = showsGrid
    }

    /// The image size in pixels, from the display tensor; nil when it is malformed.
    public var imageSize: (width: Int, height: Int)? {
        let shape = analysis.displayImage.shape
        guard shape.count == 3, shape[1] > 0, shape[2] > 0 else { return nil }
        return (shape[2], shape[1])
    }

    /// Per-token heat of the current view, min-max normalised; nil for
    /// views without one.
    public var tokenHeat: [Float]? {
        let values: [Float]?
        switch view {
        case .gradcam: values = analysis.gradcam
        case .scorer: values = analysis.scorer
        case .rollout: values = analysis.rollout
        case .image, .pruned, .earlyExits, .changeMap, .compression: values = nil
        }
        return values.map(Self.normalised)
    }

    public func grid(width: Int, height: Int) -> TokenGrid {
        TokenGrid(rows: analysis.gridRows, columns: analysis.gridColumns, width: width, height: height)
    }

    /// The view in colour, `width`×`height` pixels.
    public func colourRaster(width: Int, height: Int) -> PixelRaster {
        var raster = baseRaster(width: width, height: height)
        let grid = grid(width: width, height: height)
        if let heat = tokenHeat {
            let pixelHeat = grid.upsampled(heat)
            for index in raster.pixels.indices {
                raster.pixels[index] = raster.pixels[index] * (1 - opacity) + Colormap.turbo(pixelHeat[index]) * opacity
            }
        }
        let kept = view == .pruned ? keptMask(grid) : nil
        for y in 0..<height {
            for x in 0..<width {
                if let kept, !kept[grid.token(x: x, y: y).index(columns: grid.columns)] {
                    let luma = (raster[x, y] * Self.lumaWeights).sum()
                    raster[x, y] = RGB(repeating: 0.08 + 0.3 * luma)
                }
                if showsGrid, grid.isBoundary(x: x, y: y) { raster[x, y] *= 0.6 }
                if isCursorOutline(grid, x: x, y: y) { raster[x, y] = Self.cursorColour }
            }
        }
        return raster
    }

    /// The view as intensities in 0...1 for the ASCII ramp: heat where the
    /// view has one, otherwise luminance; pruned tokens read as 0.
    public func intensities(width: Int, height: Int) -> [Float] {
        let grid = grid(width: width, height: height)
        if let heat = tokenHeat { return grid.upsampled(heat) }
        let base = baseRaster(width: width, height: height)
        let kept = view == .pruned ? keptMask(grid) : nil
        return (0..<(width * height)).map { index in
            let (x, y) = (index % width, index / width)
            if let kept, !kept[grid.token(x: x, y: y).index(columns: grid.columns)] { return 0 }
            return (base.pixels[index] * Self.lumaWeights).sum()
        }
    }

    private func baseRaster(width: Int, height: Int) -> PixelRaster {
        guard let source = PixelRaster(planar: analysis.displayImage) else {
            return PixelRaster(width: width, height: height, filledWith: RGB(repeating: 0.2))
        }
        return source.resampled(width: width, height: height)
    }

    private func keptMask(_ grid: TokenGrid) -> [Bool] {
        var mask = [Bool](repeating: false, count: grid.tokenCount)
        for index in analysis.kept where mask.indices.contains(index) { mask[index] = true }
        return mask
    }

    private func isCursorOutline(_ grid: TokenGrid, x: Int, y: Int) -> Bool {
        guard let cursor, grid.token(x: x, y: y) == cursor else { return false }
        let rows = grid.pixelRows(ofRow: cursor.row), columns = grid.pixelColumns(ofColumn: cursor.column)
        return y == rows.first || y == rows.last || x == columns.first || x == columns.last
    }

    /// Min-max normalisation; a constant or empty input maps to zeros.
    static func normalised(_ values: [Float]) -> [Float] {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max(), high > low else {
            return Array(repeating: 0, count: values.count)
        }
        return values.map { $0.isFinite ? ($0 - low) / (high - low) : 0 }
    }
}
