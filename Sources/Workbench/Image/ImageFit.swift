/// Where an image lands on a pixel canvas when scaled to fit it.
///
/// A terminal cell is about twice as tall as wide and shows two stacked
/// pixels with a half block, so a canvas of W×H cells is W×2H square pixels.
public struct ImageFit: Equatable, Sendable {
    /// Offset of the scaled image on the canvas, in pixels.
    public let x: Int
    public let y: Int
    /// Size of the scaled image, in pixels.
    public let width: Int
    public let height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// Scales an image of `imageWidth`×`imageHeight` to the largest size
    /// that fits the canvas with the same aspect ratio, centred. The
    /// vertical offset is even so the image starts on a cell boundary.
    /// Nil when the image or canvas is empty.
    public static func fitting(imageWidth: Int, imageHeight: Int,
                               canvasWidth: Int, canvasHeight: Int) -> ImageFit? {
        guard imageWidth > 0, imageHeight > 0, canvasWidth > 0, canvasHeight > 0 else { return nil }
        let scale = min(Double(canvasWidth) / Double(imageWidth), Double(canvasHeight) / Double(imageHeight))
        let width = min(canvasWidth, max(1, Int((Double(imageWidth) * scale).rounded())))
        let height = min(canvasHeight, max(1, Int((Double(imageHeight) * scale).rounded())))
        let y = (canvasHeight - height) / 2 / 2 * 2
        return ImageFit(x: (canvasWidth - width) / 2, y: y, width: width, height: height)
    }
}
