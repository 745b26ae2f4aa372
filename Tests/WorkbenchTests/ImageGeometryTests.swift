import Kernels
import Testing
import Workbench

@Suite struct ImageGeometryTests {
    @Test func squareImageFillsTheShorterSideAndIsCentred() {
        let fit = ImageFit.fitting(imageWidth: 28, imageHeight: 28, canvasWidth: 44, canvasHeight: 40)
        #expect(fit == ImageFit(x: 2, y: 0, width: 40, height: 40))
    }

    @Test func wideImageKeepsItsAspectRatioWithAnEvenVerticalOffset() {
        let fit = ImageFit.fitting(imageWidth: 224, imageHeight: 112, canvasWidth: 40, canvasHeight: 40)
        #expect(fit == ImageFit(x: 0, y: 10, width: 40, height: 20))
        let odd = ImageFit.fitting(imageWidth: 100, imageHeight: 30, canvasWidth: 50, canvasHeight: 40)!
        #expect(odd.height == 15 && odd.y % 2 == 0)
    }

    @Test func tallImageIsLimitedByHeight() {
        let fit = ImageFit.fitting(imageWidth: 10, imageHeight: 100, canvasWidth: 80, canvasHeight: 40)
        #expect(fit == ImageFit(x: 38, y: 0, width: 4, height: 40))
    }

    @Test func degenerateSizesGiveNoFitOrAtLeastOnePixel() {
        #expect(ImageFit.fitting(imageWidth: 0, imageHeight: 10, canvasWidth: 10, canvasHeight: 10) == nil)
        #expect(ImageFit.fitting(imageWidth: 10, imageHeight: 10, canvasWidth: 0, canvasHeight: 10) == nil)
        let sliver = ImageFit.fitting(imageWidth: 1000, imageHeight: 1, canvasWidth: 10, canvasHeight: 10)!
        #expect(sliver.width == 10 && sliver.height == 1)
    }

    @Test func resamplingAveragesWhenShrinkingAndRepeatsWhenGrowing() {
        let raster = PixelRaster(width: 2, height: 2, pixels: [RGB(0, 0, 0), RGB(1, 0, 0), RGB(0, 1, 0), RGB(0, 0, 1)])
        #expect(raster.resampled(width: 1, height: 1).pixels == [RGB(0.25, 0.25, 0.25)])
        let grown = raster.resampled(width: 4, height: 4)
        #expect(grown[0, 0] == RGB(0, 0, 0) && grown[1, 1] == RGB(0, 0, 0) && grown[3, 0] == RGB(1, 0, 0))
        #expect(grown[0, 3] == RGB(0, 1, 0) && grown[3, 3] == RGB(0, 0, 1))
    }

    @Test func rasterReadsPlanarAndGreyTensorsAndRejectsOtherShapes() {
        let rgb = Tensor(shape: [3, 1, 2], values: [1, 0, 0, 1, 0.5, 0.5])
        #expect(PixelRaster(planar: rgb)?.pixels == [RGB(1, 0, 0.5), RGB(0, 1, 0.5)])
        let grey = Tensor(shape: [1, 1, 1], values: [0.25])
        #expect(PixelRaster(planar: grey)?.pixels == [RGB(repeating: 0.25)])
        #expect(PixelRaster(planar: Tensor(zeros: [2, 2])) == nil)
        #expect(PixelRaster(planar: Tensor(zeros: [4, 2, 2])) == nil)
    }

    @Test func tokenGridMapsPixelsToTokensAndBoundaries() {
        let grid = TokenGrid(rows: 2, columns: 4, width: 40, height: 20)
        #expect(grid.token(x: 0, y: 0) == TokenPosition(row: 0, column: 0))
        #expect(grid.token(x: 39, y: 19) == TokenPosition(row: 1, column: 3))
        #expect(grid.token(x: 15, y: 10) == TokenPosition(row: 1, column: 1))
        #expect(grid.isBoundary(x: 10, y: 3) && grid.isBoundary(x: 3, y: 10) && !grid.isBoundary(x: 3, y: 3))
    }

    @Test func upsamplingMatchesTokenValuesAtTheirCentresAndStaysInRange() {
        let grid = TokenGrid(rows: 2, columns: 2, width: 4, height: 4)
        let values = grid.upsampled([0, 1, 1, 0])
        #expect(values[0] == 0 && values[3] == 1 && values[12] == 1 && values[15] == 0)
        #expect(values.allSatisfy { (0...1).contains($0) })
        #expect(TokenGrid(rows: 3, columns: 3, width: 7, height: 5).upsampled([Float](repeating: 0.4, count: 9))
            .allSatisfy { abs($0 - 0.4) < 1e-6 })
        #expect(grid.upsampled([1]).count == 16, "missing token values read as zero instead of crashing")
    }

    @Test func placementMapsCellsBackToImagePixels() {
        let canvas = Rect(column: 1, row: 2, width: 44, height: 20)
        let placement = ImagePlacement(canvas: canvas, imageWidth: 64, imageHeight: 64)!
        #expect(placement.originColumn == 3 && placement.originRow == 2)
        #expect(placement.pixel(row: 2, column: 3)! == (0, 0))
        #expect(placement.pixel(row: 5, column: 10)! == (7, 6))
        #expect(placement.pixel(row: 2, column: 2) == nil && placement.pixel(row: 22, column: 3) == nil)
    }
}
