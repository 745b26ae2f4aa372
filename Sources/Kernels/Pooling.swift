/// Shape of a fixed-kernel 2-D pooling over NCHW input (dilation 1,
/// floor rounding of the output size, as PyTorch's defaults).
public struct Pool2dGeometry: Sendable, Equatable {
    public let batch: Int
    public let channels: Int
    public let height: Int
    public let width: Int
    public let kernelHeight: Int
    public let kernelWidth: Int
    public let strideY: Int
    public let strideX: Int
    public let paddingY: Int
    public let paddingX: Int
    public let outHeight: Int
    public let outWidth: Int

    /// Pairs are (vertical, horizontal); the stride defaults to the kernel
    /// size. Padding may be at most half the kernel, as in PyTorch, so every
    /// window overlaps the input.
    public init(batch: Int, channels: Int, height: Int, width: Int,
                kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) {
        let stride = stride ?? kernel
        precondition(batch >= 1 && channels >= 1 && height >= 1 && width >= 1, "pool2d: empty input")
        precondition(kernel.0 >= 1 && kernel.1 >= 1 && stride.0 >= 1 && stride.1 >= 1,
                     "pool2d: kernel \(kernel), stride \(stride)")
        precondition(padding.0 >= 0 && padding.1 >= 0 && 2 * padding.0 <= kernel.0 && 2 * padding.1 <= kernel.1,
                     "pool2d: padding \(padding) for kernel \(kernel)")
        precondition(height + 2 * padding.0 >= kernel.0 && width + 2 * padding.1 >= kernel.1,
                     "pool2d: kernel \(kernel) larger than the padded \(height)×\(width) input")
        self.batch = batch
        self.channels = channels
        self.height = height
        self.width = width
        (kernelHeight, kernelWidth) = kernel
        (strideY, strideX) = stride
        (paddingY, paddingX) = padding
        outHeight = (height + 2 * paddingY - kernelHeight) / strideY + 1
        outWidth = (width + 2 * paddingX - kernelWidth) / strideX + 1
    }

    public init(shape: [Int], kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) {
        precondition(shape.count == 4, "pool2d of \(shape)")
        self.init(batch: shape[0], channels: shape[1], height: shape[2], width: shape[3],
                  kernel: kernel, stride: stride, padding: padding)
    }

    public var inputShape: [Int] { [batch, channels, height, width] }
    public var outputShape: [Int] { [batch, channels, outHeight, outWidth] }

    var kernelArea: Int { kernelHeight * kernelWidth }

    /// Windows clipped to the input: the padding never wins a max and, for
    /// the average, is accounted for by dividing by the full kernel area.
    var windows: PoolWindows {
        func clipped(count: Int, kernel: Int, stride: Int, padding: Int, size: Int) -> [Range<Int>] {
            (0..<count).map { index in
                let start = index * stride - padding
                return max(start, 0)..<min(start + kernel, size)
            }
        }
        return PoolWindows(
            planes: batch * channels, height: height, width: width,
            rows: clipped(count: outHeight, kernel: kernelHeight, stride: strideY, padding: paddingY, size: height),
            columns: clipped(count: outWidth, kernel: kernelWidth, stride: strideX, padding: paddingX, size: width))
    }
}

/// Shape of an adaptive 2-D pooling: output bin i covers input
/// floor(i·size/out) ..< ceil((i+1)·size/out), PyTorch's bin boundaries.
public struct AdaptivePool2dGeometry: Sendable, Equatable {
    public let batch: Int
    public let channels: Int
    public let height: Int
    public let width: Int
    public let outHeight: Int
    public let outWidth: Int

    public init(batch: Int, channels: Int, height: Int, width: Int, outHeight: Int, outWidth: Int) {
        precondition(batch >= 1 && channels >= 1 && height >= 1 && width >= 1 && outHeight >= 1 && outWidth >= 1,
                     "adaptive pool: \(height)×\(width) → \(outHeight)×\(outWidth)")
        self.batch = batch
        self.channels = channels
        self.height = height
        self.width = width
        self.outHeight = outHeight
        self.outWidth = outWidth
    }

    public var inputShape: [Int] { [batch, channels, height, width] }
    public var outputShape: [Int] { [batch, channels, outHeight, outWidth] }

    var windows: PoolWindows {
        func bins(count: Int, size: Int) -> [Range<Int>] {
            (0..<count).map { index in index * size / count..<((index + 1) * size + count - 1) / count }
        }
        return PoolWindows(planes: batch * channels, height: height, width: width,
                           rows: bins(count: outHeight, size: height), columns: bins(count: outWidth, size: width))
    }
}

/// Max pooling; padding acts as −∞. The backward pass recomputes each
/// window's maximum from the input instead of storing indices.
public enum MaxPool2d {
    public static func forward(_ geometry: Pool2dGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        geometry.windows.maxForward(input: input, output: output)
    }

    /// inputGradient += each output gradient routed to its window's maximum.
    public static func backward(_ geometry: Pool2dGeometry, input: UnsafePointer<Float>,
                                outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>) {
        geometry.windows.maxBackward(input: input, outputGradient: outputGradient, inputGradient: inputGradient)
    }

    public static func forward(_ input: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil,
                               padding: (Int, Int) = (0, 0)) -> Tensor {
        pooled(input, geometry: Pool2dGeometry(shape: input.shape, kernel: kernel, stride: stride, padding: padding), forward)
    }
}

/// Average pooling with PyTorch's defaults: padding counts towards the mean
/// (count_include_pad), output size rounded down.
public enum AvgPool2d {
    public static func forward(_ geometry: Pool2dGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        geometry.windows.averageForward(input: input, output: output, fixedDivisor: geometry.kernelArea)
    }

    /// inputGradient += each output gradient spread evenly over its window.
    public static func backward(_ geometry: Pool2dGeometry, outputGradient: UnsafePointer<Float>,
                                inputGradient: UnsafeMutablePointer<Float>) {
        geometry.windows.averageBackward(outputGradient: outputGradient, inputGradient: inputGradient,
                                         fixedDivisor: geometry.kernelArea)
    }

    public static func forward(_ input: Tensor, kernel: (Int, Int), stride: (Int, Int)? = nil,
                               padding: (Int, Int) = (0, 0)) -> Tensor {
        pooled(input, geometry: Pool2dGeometry(shape: input.shape, kernel: kernel, stride: stride, padding: padding), forward)
    }
}

/// Allocates the output of a fixed-kernel pooling and runs `forward` into it.
private func pooled(_ input: Tensor, geometry: Pool2dGeometry,
                    _ forward: (Pool2dGeometry, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> Tensor {
    let output = Tensor(uninitialized: geometry.outputShape)
    forward(geometry, input.pointer, output.pointer)
    return output
}

public enum AdaptiveAvgPool2d {
    public static func forward(_ geometry: AdaptivePool2dGeometry, input: UnsafePointer<Float>,
                               output: UnsafeMutablePointer<Float>) {
        geometry.windows.averageForward(input: input, output: output, fixedDivisor: nil)
    }

    public static func backward(_ geometry: AdaptivePool2dGeometry, outputGradient: UnsafePointer<Float>,
                                inputGradient: UnsafeMutablePointer<Float>) {
        geometry.windows.averageBackward(outputGradient: outputGradient, inputGradient: inputGradient, fixedDivisor: nil)
    }
}

public enum AdaptiveMaxPool2d {
    public static func forward(_ geometry: AdaptivePool2dGeometry, input: UnsafePointer<Float>,
                               output: UnsafeMutablePointer<Float>) {
        geometry.windows.maxForward(input: input, output: output)
    }

    public static func backward(_ geometry: AdaptivePool2dGeometry, input: UnsafePointer<Float>,
                                outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>) {
        geometry.windows.maxBackward(input: input, outputGradient: outputGradient, inputGradient: inputGradient)
    }
}

/// Mean of every plane: [N, C, H, W] → [N, C].
public enum GlobalAvgPool2d {
    public static func forward(planes: Int, planeSize: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        Parallel.forRanges(planes) { range in
            for plane in range {
                let values = input + plane * planeSize
                var sum: Float = 0
                for index in 0..<planeSize { sum += values[index] }
                output[plane] = sum / Float(planeSize)
            }
        }
    }

    /// inputGradient += each plane's output gradient spread evenly over the plane.
    public static func backward(planes: Int, planeSize: Int, outputGradient: UnsafePointer<Float>,
                                inputGradient: UnsafeMutablePointer<Float>) {
        Parallel.forRanges(planes) { range in
            for plane in range {
                let share = outputGradient[plane] / Float(planeSize)
                let values = inputGradient + plane * planeSize
                for index in 0..<planeSize { values[index] += share }
            }
        }
    }

    public static func forward(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4, "global average pool of \(input.shape)")
        let output = Tensor(uninitialized: [input.shape[0], input.shape[1]])
        forward(planes: output.count, planeSize: input.shape[2] * input.shape[3], input: input.pointer, output: output.pointer)
        return output
    }
}
