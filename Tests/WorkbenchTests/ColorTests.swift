import Kernels
import TestSupport
import Testing
import Workbench

@Suite struct ColorQuantizerTests {
    @Test(arguments: [
        (RGB(0, 0, 0), 16), (RGB(1, 1, 1), 231), (RGB(1, 0, 0), 196), (RGB(0, 1, 0), 46), (RGB(0, 0, 1), 21),
        (RGB(repeating: 128.0 / 255), 244), (RGB(95, 135, 175) / 255, 67), (RGB(repeating: 8.0 / 255), 232),
    ])
    func knownColours(colour: RGB, index: Int) {
        #expect(ColorQuantizer.paletteColor(for: colour) == PaletteColor(index: Int16(index)))
    }

    @Test func everyPaletteEntryMapsToItself() {
        for index in Int16(16)...255 {
            let colour = PaletteColor(index: index)
            let back = ColorQuantizer.paletteColor(for: ColorQuantizer.rgb(of: colour))
            // The cube's greys (16, 59, 102, …) and the ramp hold equal colours; either is exact.
            #expect(ColorQuantizer.rgb(of: back) == ColorQuantizer.rgb(of: colour), "index \(index)")
        }
    }

    @Test func neverProducesTheFirstSixteenColours() {
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<2000 {
            let colour = RGB(Float.random(in: -0.2...1.2, using: &generator), Float.random(in: -0.2...1.2, using: &generator),
                             Float.random(in: -0.2...1.2, using: &generator))
            #expect((16...255).contains(ColorQuantizer.paletteColor(for: colour).index))
        }
    }
}

@Suite struct ColormapTests {
    @Test func turboEndpointsFollowThePublishedPolynomial() {
        let low = Colormap.turbo(0), high = Colormap.turbo(1)
        #expect(abs(low.x - 0.1357) < 1e-3 && abs(low.y - 0.0914) < 1e-3 && abs(low.z - 0.1067) < 1e-3)
        #expect(abs(high.x - 0.5659) < 1e-3 && abs(high.y - 0.0504) < 1e-3 && high.z == 0)
    }

    @Test func turboRunsFromBlueThroughGreenToRed() {
        let quarter = Colormap.turbo(0.2), middle = Colormap.turbo(0.5), late = Colormap.turbo(0.9)
        #expect(quarter.z > quarter.x)
        #expect(middle.y > middle.x && middle.y > middle.z)
        #expect(late.x > late.y && late.x > late.z)
    }

    @Test func turboClampsOutOfRangeAndNaN() {
        #expect(Colormap.turbo(-3) == Colormap.turbo(0))
        #expect(Colormap.turbo(7) == Colormap.turbo(1))
        #expect(Colormap.turbo(.nan) == Colormap.turbo(0))
    }
}

@Suite struct CellPainterTests {
    @Test func halfBlockPutsTopInForegroundAndBottomInBackground() {
        let red = PaletteColor(index: 196), blue = PaletteColor(index: 21)
        let cell = HalfBlockPainter.cell(top: red, bottom: blue)
        #expect(cell.character == "▀")
        #expect(cell.style.foreground == red && cell.style.background == blue)
    }

    @Test func equalHalvesBecomeASpaceWithBackground() {
        let grey = PaletteColor(index: 244)
        let cell = HalfBlockPainter.cell(top: grey, bottom: grey)
        #expect(cell.character == " " && cell.style.background == grey)
    }

    @Test func paintsTwoPixelRowsPerCellAndLeavesAnOddLastRowOpen() {
        let white = RGB(1, 1, 1), black = RGB(0, 0, 0)
        let raster = PixelRaster(width: 2, height: 3, pixels: [white, black, black, white, white, white])
        var screen = Screen(size: TerminalSize(columns: 4, rows: 3))
        HalfBlockPainter.paint(raster, into: &screen, row: 1, column: 1)
        #expect(screen[1, 1] == Cell(character: "▀", style: CellStyle(foreground: PaletteColor(index: 231),
                                                                      background: PaletteColor(index: 16))))
        #expect(screen[1, 2] == Cell(character: "▀", style: CellStyle(foreground: PaletteColor(index: 16),
                                                                      background: PaletteColor(index: 231))))
        #expect(screen[2, 1] == Cell(character: "▀", style: CellStyle(foreground: PaletteColor(index: 231))))
        #expect(screen[0, 0] == .blank && screen[1, 3] == .blank)
    }

    @Test func asciiRampCoversZeroToOne() {
        #expect(AsciiPainter.character(for: 0) == " ")
        #expect(AsciiPainter.character(for: 1) == "@")
        #expect(AsciiPainter.character(for: 0.55) == "+")
        #expect(AsciiPainter.character(for: .nan) == " ")
        #expect(AsciiPainter.character(for: -1) == " " && AsciiPainter.character(for: 2) == "@")
    }
}
