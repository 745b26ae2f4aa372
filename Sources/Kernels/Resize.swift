/// Resampling filters with PIL's definitions.
public enum ResizeFilter: Sendable {
    /// The input pixel whose cell holds the output pixel's centre.
    case nearest
    /// Triangle filter, support 1.
    case bilinear
    /// Keys cubic with a = −0.5, support 2.
    case bicubic
}

/// A resize of `channels` planes of height × width to outHeight × outWidth.
public struct ResizeGeometry: Sendable, Equatable {
    public let channels: Int
    public let height: Int
    public let width: Int
    public let outHeight: Int
    public let outWidth: Int

    public init(channels: Int, height: Int, width: Int, outHeight: Int, outWidth: Int) {
        precondition(channels >= 1 && height >= 1 && width >= 1 && outHeight >= 1 && outWidth >= 1,
                     "resize: \(channels)×\(height)×\(width) → \(outHeight)×\(outWidth)")
        self.channels = channels
        self.height = height
        self.width = width
        self.outHeight = outHeight
        self.outWidth = outWidth
    }
}

/// Image resizing with the semantics of PIL's `Image.resize`, which timm's
/// preprocessing uses (through torchvision on PIL images).
///
/// Bilinear and bicubic resample separably: output pixel i of an axis is
/// centred at input coordinate (i + 0.5) · scale with scale = in/out; when
/// downscaling the filter is stretched by the scale (antialiasing), and each
/// output pixel's weights are normalised to sum to one.
///
/// PIL works on 8-bit images: it rounds and clips to 0…255 after each pass.
/// This stays in float and does not round; pass `clampingTo` (0…1 for
/// images scaled to unit range) to clip after each pass as PIL does, which
/// matters where bicubic overshoots. The remaining difference is PIL's
/// rounding, below 1/255 per pass.
public enum Resize {
    public static func resize(
        _ geometry: ResizeGeometry, filter: ResizeFilter, clampingTo range: ClosedRange<Float>? = nil,
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        let g = geometry
        guard filter != .nearest else {
            nearest(g, input: input, output: output)
            return
        }
        let resizesRows = g.outWidth != g.width
        let resizesColumns = g.outHeight != g.height
        guard resizesRows && resizesColumns else {
            // PIL skips the pass of an axis whose size does not change.
            if resizesRows {
                resampleRows(g.channels * g.height, width: g.width, outWidth: g.outWidth, filter: filter,
                             range: range, input: input, output: output)
            } else if resizesColumns {
                resampleColumns(g.channels, height: g.height, outHeight: g.outHeight, width: g.width, filter: filter,
                                range: range, input: input, output: output)
            } else {
                output.update(from: input, count: g.channels * g.height * g.width)
            }
            return
        }
        // Pillow 13 resamples vertically first when the height shrinks by more
        // than twice as many pixels as the width; the order shows where the
        // first pass is clipped.
        let columnsFirst = g.outHeight < g.height && g.height - g.outHeight > 2 * (g.width - g.outWidth)
        let middle = UnsafeMutablePointer<Float>.allocate(
            capacity: g.channels * (columnsFirst ? g.outHeight * g.width : g.height * g.outWidth))
        defer { middle.deallocate() }
        if columnsFirst {
            resampleColumns(g.channels, height: g.height, outHeight: g.outHeight, width: g.width, filter: filter,
                            range: range, input: input, output: middle)
            resampleRows(g.channels * g.outHeight, width: g.width, outWidth: g.outWidth, filter: filter,
                         range: range, input: middle, output: output)
        } else {
            resampleRows(g.channels * g.height, width: g.width, outWidth: g.outWidth, filter: filter,
                         range: range, input: input, output: middle)
            resampleColumns(g.channels, height: g.height, outHeight: g.outHeight, width: g.outWidth, filter: filter,
                            range: range, input: middle, output: output)
        }
    }

    /// Resizes `image` [C, H, W] to [C, height, width].
    public static func resize(
        _ image: Tensor, height: Int, width: Int, filter: ResizeFilter, clampingTo range: ClosedRange<Float>? = nil
    ) -> Tensor {
        precondition(image.rank == 3, "resize expects [C, H, W], got \(image.shape)")
        let geometry = ResizeGeometry(channels: image.shape[0], height: image.shape[1], width: image.shape[2],
                                      outHeight: height, outWidth: width)
        let output = Tensor(uninitialized: [image.shape[0], height, width])
        resize(geometry, filter: filter, clampingTo: range, input: image.pointer, output: output.pointer)
        return output
    }

    /// Output i reads input ⌊(i + 0.5) · in/out⌋, computed exactly in
    /// integers as ⌊(2i + 1) · in / (2 · out)⌋.
    private static func nearest(_ g: ResizeGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        let sourceColumns = (0..<g.outWidth).map { (2 * $0 + 1) * g.width / (2 * g.outWidth) }
        Parallel.forRanges(g.channels * g.outHeight) { rows in
            for row in rows {
                let (channel, y) = row.quotientAndRemainder(dividingBy: g.outHeight)
                let source = input + (channel * g.height + (2 * y + 1) * g.height / (2 * g.outHeight)) * g.width
                let target = output + row * g.outWidth
                for x in 0..<g.outWidth { target[x] = source[sourceColumns[x]] }
            }
        }
    }

    /// Horizontal pass over `rows` rows of `width` values.
    private static func resampleRows(
        _ rows: Int, width: Int, outWidth: Int, filter: ResizeFilter, range: ClosedRange<Float>?,
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        let weights = ResampleWeights(inputSize: width, outputSize: outWidth, filter: filter)
        Parallel.forRanges(rows, minimumChunk: 4) { rowRange in
            for row in rowRange {
                let source = input + row * width
                let target = output + row * outWidth
                for x in 0..<outWidth {
                    let start = weights.starts[x], first = x * weights.stride
                    var sum: Float = 0
                    for tap in 0..<weights.counts[x] { sum += weights.weights[first + tap] * source[start + tap] }
                    target[x] = sum
                }
                clamp(target, count: outWidth, to: range)
            }
        }
    }

    /// Vertical pass over `planes` planes: each output row is a weighted sum
    /// of whole input rows, so the inner loop runs along contiguous memory.
    private static func resampleColumns(
        _ planes: Int, height: Int, outHeight: Int, width: Int, filter: ResizeFilter, range: ClosedRange<Float>?,
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        let weights = ResampleWeights(inputSize: height, outputSize: outHeight, filter: filter)
        Parallel.forRanges(planes * outHeight, minimumChunk: 4) { rows in
            for row in rows {
                let (plane, y) = row.quotientAndRemainder(dividingBy: outHeight)
                let target = output + row * width
                target.update(repeating: 0, count: width)
                for tap in 0..<weights.counts[y] {
                    let source = input + (plane * height + weights.starts[y] + tap) * width
                    let weight = weights.weights[y * weights.stride + tap]
                    for x in 0..<width { target[x] += weight * source[x] }
                }
                clamp(target, count: width, to: range)
            }
        }
    }

    private static func clamp(_ values: UnsafeMutablePointer<Float>, count: Int, to range: ClosedRange<Float>?) {
        guard let range else { return }
        for index in 0..<count { values[index] = min(max(values[index], range.lowerBound), range.upperBound) }
    }
}

/// PIL's resampling weights along one axis: output i reads `counts[i]`
/// inputs from `starts[i]`, weighted by `weights[i · stride ..< i · stride + counts[i]]`.
private struct ResampleWeights {
    let starts: [Int]
    let counts: [Int]
    /// `stride` weights per output, the unused tail zero.
    let weights: [Float]
    let stride: Int

    init(inputSize: Int, outputSize: Int, filter: ResizeFilter) {
        let (support, kernel): (Double, (Double) -> Double)
        switch filter {
        case .bilinear: (support, kernel) = (1, Self.triangle)
        case .bicubic: (support, kernel) = (2, Self.cubic)
        case .nearest: preconditionFailure("nearest resizing has no weights")
        }
        let scale = Double(inputSize) / Double(outputSize)
        let filterScale = max(scale, 1)
        let reach = support * filterScale
        let inverseFilterScale = 1 / filterScale
        stride = Int(reach.rounded(.up)) * 2 + 1
        var starts = [Int](), counts = [Int]()
        var weights = [Float](repeating: 0, count: outputSize * stride)
        var window = [Double](repeating: 0, count: stride)
        for index in 0..<outputSize {
            let centre = (Double(index) + 0.5) * scale
            // Int(_:) truncates like PIL's C casts; both bounds are then clipped to the input.
            let start = max(0, Int(centre - reach + 0.5))
            let count = min(inputSize, Int(centre + reach + 0.5)) - start
            var total = 0.0
            for tap in 0..<count {
                window[tap] = kernel((Double(start + tap) - centre + 0.5) * inverseFilterScale)
                total += window[tap]
            }
            for tap in 0..<count { weights[index * stride + tap] = Float(total == 0 ? window[tap] : window[tap] / total) }
            starts.append(start)
            counts.append(count)
        }
        self.starts = starts
        self.counts = counts
        self.weights = weights
    }

    static func triangle(_ x: Double) -> Double {
        max(0, 1 - abs(x))
    }

    /// Keys' cubic convolution kernel with a = −0.5, as PIL's BICUBIC.
    static func cubic(_ x: Double) -> Double {
        let a = -0.5, x = abs(x)
        if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
        if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
        return 0
    }
}
