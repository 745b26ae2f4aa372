import Kernels

/// A small RGB image in row-major order, for display only.
public struct PixelRaster: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public var pixels: [RGB]

    public init(width: Int, height: Int, pixels: [RGB]) {
        precondition(pixels.count == width * height, "\(pixels.count) pixels for \(width)×\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public init(width: Int, height: Int, filledWith colour: RGB) {
        self.init(width: width, height: height, pixels: Array(repeating: colour, count: width * height))
    }

    /// Reads a planar [3, H, W] (or [1, H, W] grey) tensor with values in
    /// 0...1; nil for any other shape.
    public init?(planar tensor: Tensor) {
        guard tensor.rank == 3, tensor.shape[0] == 3 || tensor.shape[0] == 1,
              tensor.shape[1] > 0, tensor.shape[2] > 0 else { return nil }
        let (height, width) = (tensor.shape[1], tensor.shape[2])
        let plane = width * height
        let channelOffsets = tensor.shape[0] == 3 ? [0, plane, 2 * plane] : [0, 0, 0]
        let values = tensor.buffer
        let pixels = (0..<plane).map { index in
            RGB(values[channelOffsets[0] + index], values[channelOffsets[1] + index], values[channelOffsets[2] + index])
        }
        self.init(width: width, height: height, pixels: pixels)
    }

    public subscript(x: Int, y: Int) -> RGB {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }

    /// The image resized to `width`×`height` by averaging the source pixels
    /// each destination pixel covers (nearest pixel when enlarging).
    public func resampled(width newWidth: Int, height newHeight: Int) -> PixelRaster {
        let columns = Self.sourceSpans(destination: newWidth, source: width)
        let rows = Self.sourceSpans(destination: newHeight, source: height)
        var result = [RGB]()
        result.reserveCapacity(newWidth * newHeight)
        for rowSpan in rows {
            for columnSpan in columns {
                var sum = RGB(repeating: 0)
                for y in rowSpan { for x in columnSpan { sum += self[x, y] } }
                result.append(sum / Float(rowSpan.count * columnSpan.count))
            }
        }
        return PixelRaster(width: newWidth, height: newHeight, pixels: result)
    }

    /// For each destination index, the non-empty range of source indices it covers.
    static func sourceSpans(destination: Int, source: Int) -> [Range<Int>] {
        (0..<destination).map { index in
            let start = index * source / destination
            let end = max(start + 1, ((index + 1) * source + destination - 1) / destination)
            return start..<min(end, source)
        }
    }
}
