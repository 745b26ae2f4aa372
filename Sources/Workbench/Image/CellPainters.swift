/// Draws pixels into cells with the upper half block "▀": the foreground
/// is the top pixel, the background the bottom one, so one cell shows two
/// vertically stacked pixels.
public enum HalfBlockPainter {
    public static let upperHalfBlock: Unicode.Scalar = "▀"

    /// Paints `raster` with its top-left pixel at cell (row, column). An
    /// odd last pixel row leaves the lower half in the terminal's default colour.
    public static func paint(_ raster: PixelRaster, into screen: inout Screen, row: Int, column: Int) {
        for cellRow in 0..<((raster.height + 1) / 2) {
            for x in 0..<raster.width {
                let top = ColorQuantizer.paletteColor(for: raster[x, 2 * cellRow])
                let hasBottom = 2 * cellRow + 1 < raster.height
                let bottom = hasBottom ? ColorQuantizer.paletteColor(for: raster[x, 2 * cellRow + 1]) : .terminalDefault
                let cell = cell(top: top, bottom: bottom)
                screen.put(cell.character, row: row + cellRow, column: column + x, style: cell.style)
            }
        }
    }

    /// Two equal halves become a space with that background: fonts draw
    /// half blocks with seams, plain background does not.
    public static func cell(top: PaletteColor, bottom: PaletteColor) -> Cell {
        if top == bottom { return Cell(character: " ", style: CellStyle(background: bottom)) }
        return Cell(character: upperHalfBlock, style: CellStyle(foreground: top, background: bottom))
    }
}

/// Draws intensities with a density ramp, for terminals without colour.
public enum AsciiPainter {
    /// From 0 (blank) to 1 (densest).
    public static let ramp: [Unicode.Scalar] = [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"]

    public static func character(for intensity: Float) -> Unicode.Scalar {
        let clamped = intensity.isNaN ? 0 : min(max(intensity, 0), 1)
        return ramp[min(ramp.count - 1, Int(clamped * Float(ramp.count)))]
    }

    /// Paints `width`×`height` intensities, averaging each cell's two pixel rows.
    public static func paint(_ intensities: [Float], width: Int, height: Int,
                             into screen: inout Screen, row: Int, column: Int) {
        for cellRow in 0..<((height + 1) / 2) {
            for x in 0..<width {
                let top = intensities[2 * cellRow * width + x]
                let bottom = 2 * cellRow + 1 < height ? intensities[(2 * cellRow + 1) * width + x] : top
                screen.put(character(for: (top + bottom) / 2), row: row + cellRow, column: column + x, style: .plain)
            }
        }
    }
}
