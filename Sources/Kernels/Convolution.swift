/// Shape and hyper-parameters of a 2-D convolution over NCHW input with
/// PyTorch's weight layout [outChannels, inChannels / groups, kernelHeight, kernelWidth].
public struct Conv2dGeometry: Sendable, Equatable {
    public let batch: Int
    public let inChannels: Int
    public let height: Int
    public let width: Int
    public let outChannels: Int
    public let kernelHeight: Int
    public let kernelWidth: Int
    public let strideY: Int
    public let strideX: Int
    public let paddingY: Int
    public let paddingX: Int
    public let dilationY: Int
    public let dilationX: Int
    public let groups: Int
    public let outHeight: Int
    public let outWidth: Int

    /// Pairs are (vertical, horizontal). Callers validate user input before;
    /// a bad geometry here is a programming error.
    public init(batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int,
                kernel: (Int, Int), stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                dilation: (Int, Int) = (1, 1), groups: Int = 1) {
        precondition(batch >= 1 && inChannels >= 1 && height >= 1 && width >= 1 && outChannels >= 1,
                     "conv2d: empty input or output")
        precondition(kernel.0 >= 1 && kernel.1 >= 1 && stride.0 >= 1 && stride.1 >= 1
                     && dilation.0 >= 1 && dilation.1 >= 1 && padding.0 >= 0 && padding.1 >= 0,
                     "conv2d: kernel \(kernel), stride \(stride), padding \(padding), dilation \(dilation)")
        precondition(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0,
                     "conv2d: \(groups) groups for \(inChannels) → \(outChannels) channels")
        self.batch = batch
        self.inChannels = inChannels
        self.height = height
        self.width = width
        self.outChannels = outChannels
        (kernelHeight, kernelWidth) = kernel
        (strideY, strideX) = stride
        (paddingY, paddingX) = padding
        (dilationY, dilationX) = dilation
        self.groups = groups
        outHeight = (height + 2 * paddingY - dilationY * (kernelHeight - 1) - 1) / strideY + 1
        outWidth = (width + 2 * paddingX - dilationX * (kernelWidth - 1) - 1) / strideX + 1
        precondition(height + 2 * paddingY >= dilationY * (kernelHeight - 1) + 1
                     && width + 2 * paddingX >= dilationX * (kernelWidth - 1) + 1,
                     "conv2d: kernel larger than the padded \(height)×\(width) input")
    }

    /// The geometry of `input` [N, Cin, H, W] convolved with `weight` [Cout, Cin/groups, KH, KW].
    public init(inputShape: [Int], weightShape: [Int], stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                dilation: (Int, Int) = (1, 1), groups: Int = 1) {
        precondition(inputShape.count == 4 && weightShape.count == 4, "conv2d: input \(inputShape), weight \(weightShape)")
        precondition(weightShape[1] * groups == inputShape[1],
                     "conv2d: weight \(weightShape) with \(groups) groups for input \(inputShape)")
        self.init(batch: inputShape[0], inChannels: inputShape[1], height: inputShape[2], width: inputShape[3],
                  outChannels: weightShape[0], kernel: (weightShape[2], weightShape[3]),
                  stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    public var inChannelsPerGroup: Int { inChannels / groups }
    public var outChannelsPerGroup: Int { outChannels / groups }
    public var kernelArea: Int { kernelHeight * kernelWidth }
    public var inputPlane: Int { height * width }
    public var outputPlane: Int { outHeight * outWidth }
    public var inputCount: Int { batch * inChannels * inputPlane }
    public var outputCount: Int { batch * outChannels * outputPlane }
    public var weightCount: Int { outChannels * inChannelsPerGroup * kernelArea }
    public var inputShape: [Int] { [batch, inChannels, height, width] }
    public var weightShape: [Int] { [outChannels, inChannelsPerGroup, kernelHeight, kernelWidth] }
    public var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }

    /// One input channel per group: each output channel filters a single input plane.
    var isDepthwise: Bool { groups > 1 && groups == inChannels }

    /// The input planes already are the im2col matrix.
    var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideY == 1 && strideX == 1 && paddingY == 0 && paddingX == 0
    }

    /// Rows of one group's im2col matrix (its columns are the output positions).
    var columnRows: Int { inChannelsPerGroup * kernelArea }

    /// Flat offsets of the first input plane, output plane and filter of a group.
    func inputOffset(image: Int, group: Int) -> Int {
        (image * inChannels + group * inChannelsPerGroup) * inputPlane
    }

    func outputOffset(image: Int, group: Int) -> Int {
        (image * outChannels + group * outChannelsPerGroup) * outputPlane
    }

    func weightOffset(group: Int) -> Int { group * outChannelsPerGroup * columnRows }

    /// Output rows unfolded at a time, so that the im2col scratch stays
    /// near `columnBudget` floats (and in cache) whatever the image size.
    /// Pointwise convolutions need no scratch and take every row at once.
    var outputBands: [Range<Int>] {
        let rows = isPointwise ? outHeight : max(1, min(outHeight, Self.columnBudget / (columnRows * outWidth)))
        return stride(from: 0, to: outHeight, by: rows).map { $0..<min($0 + rows, outHeight) }
    }

    static let columnBudget = 1 << 19
}

/// 2-D convolution: im2col + GEMM in general, a direct loop for depthwise
/// convolutions (their per-group GEMMs would be tiny), and no im2col at all
/// for 1×1 stride-1 convolutions.
///
/// Forward overwrites its output; the backward functions add into the
/// gradient buffers they are given.
public enum Conv2d {
    public static func forward(
        _ geometry: Conv2dGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>
    ) {
        if geometry.isDepthwise {
            depthwiseForward(geometry, input: input, weight: weight, bias: bias, output: output)
            return
        }
        let g = geometry
        forEachImageAndGroup(g) { image, group, columns in
            let target = output + g.outputOffset(image: image, group: group)
            if let bias {
                for channel in 0..<g.outChannelsPerGroup {
                    (target + channel * g.outputPlane).update(
                        repeating: bias[group * g.outChannelsPerGroup + channel], count: g.outputPlane)
                }
            }
            for band in g.outputBands {
                let matrix = columnMatrix(g, image: input + g.inputOffset(image: image, group: group), band: band,
                                          columns: columns)
                GEMM.multiply(m: g.outChannelsPerGroup, n: band.count * g.outWidth, k: g.columnRows,
                              a: weight + g.weightOffset(group: group), lda: g.columnRows,
                              b: matrix.start, ldb: matrix.rowLength,
                              c: target + band.lowerBound * g.outWidth, ldc: g.outputPlane, beta: bias == nil ? 0 : 1)
            }
        }
    }

    /// inputGradient += ∂output/∂input applied to `outputGradient`.
    public static func backwardInput(
        _ geometry: Conv2dGeometry, outputGradient: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>
    ) {
        if geometry.isDepthwise {
            depthwiseBackwardInput(geometry, outputGradient: outputGradient, weight: weight, inputGradient: inputGradient)
            return
        }
        let g = geometry
        forEachImageAndGroup(g) { image, group, columns in
            let target = inputGradient + g.inputOffset(image: image, group: group)
            let gradient = outputGradient + g.outputOffset(image: image, group: group)
            // Wᵀ · dY gives the im2col matrix of the input gradient; for 1×1
            // convolutions that matrix is the gradient itself.
            for band in g.outputBands {
                let bandColumns = band.count * g.outWidth
                GEMM.multiply(m: g.columnRows, n: bandColumns, k: g.outChannelsPerGroup,
                              a: weight + g.weightOffset(group: group), lda: g.columnRows, transposeA: true,
                              b: gradient + band.lowerBound * g.outWidth, ldb: g.outputPlane,
                              c: columns ?? target + band.lowerBound * g.outWidth,
                              ldc: columns == nil ? g.inputPlane : bandColumns,
                              beta: columns == nil ? 1 : 0)
                if let columns { fold(g, columns: columns, band: band, image: target) }
            }
        }
    }

    /// weightGradient += ∂output/∂weight applied to `outputGradient`.
    public static func backwardWeight(
        _ geometry: Conv2dGeometry, input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        weightGradient: UnsafeMutablePointer<Float>
    ) {
        if geometry.isDepthwise {
            depthwiseBackwardWeight(geometry, input: input, outputGradient: outputGradient, weightGradient: weightGradient)
            return
        }
        let g = geometry
        // Every image adds into the same weight gradient, so only groups run in parallel.
        Parallel.forRanges(g.groups) { groups in
            let columns = allocateColumns(g)
            defer { columns?.deallocate() }
            for group in groups {
                for image in 0..<g.batch {
                    let gradient = outputGradient + g.outputOffset(image: image, group: group)
                    for band in g.outputBands {
                        let matrix = columnMatrix(g, image: input + g.inputOffset(image: image, group: group), band: band,
                                                  columns: columns)
                        GEMM.multiply(m: g.outChannelsPerGroup, n: g.columnRows, k: band.count * g.outWidth,
                                      a: gradient + band.lowerBound * g.outWidth, lda: g.outputPlane,
                                      b: matrix.start, ldb: matrix.rowLength, transposeB: true,
                                      c: weightGradient + g.weightOffset(group: group), ldc: g.columnRows, beta: 1)
                    }
                }
            }
        }
    }

    /// biasGradient += the output gradient summed over batch and positions.
    public static func backwardBias(
        _ geometry: Conv2dGeometry, outputGradient: UnsafePointer<Float>, biasGradient: UnsafeMutablePointer<Float>
    ) {
        let g = geometry
        Parallel.forRanges(g.outChannels) { channels in
            for channel in channels {
                var sum: Float = 0
                for image in 0..<g.batch {
                    let plane = outputGradient + (image * g.outChannels + channel) * g.outputPlane
                    for index in 0..<g.outputPlane { sum += plane[index] }
                }
                biasGradient[channel] += sum
            }
        }
    }

    /// Convolves `input` [N, Cin, H, W] with `weight` [Cout, Cin/groups, KH, KW]; pairs are (vertical, horizontal).
    public static func forward(
        _ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
        padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1
    ) -> Tensor {
        let geometry = Conv2dGeometry(inputShape: input.shape, weightShape: weight.shape, stride: stride,
                                      padding: padding, dilation: dilation, groups: groups)
        precondition(bias == nil || bias!.count == geometry.outChannels, "conv2d: bias for \(geometry.outChannels) channels")
        let output = Tensor(uninitialized: geometry.outputShape)
        forward(geometry, input: input.pointer, weight: weight.pointer, bias: bias.map { UnsafePointer($0.pointer) },
                output: output.pointer)
        return output
    }

    /// Runs `body(image, group, columns)` for every (image, group) pair, pairs
    /// split across the workers; `columns` is per-worker im2col scratch, nil
    /// for pointwise convolutions. A single pair runs on the calling thread,
    /// so its GEMM and im2col still split across the workers.
    private static func forEachImageAndGroup(
        _ g: Conv2dGeometry, _ body: (_ image: Int, _ group: Int, _ columns: UnsafeMutablePointer<Float>?) -> Void
    ) {
        Parallel.forRanges(g.batch * g.groups) { pairs in
            let columns = allocateColumns(g)
            defer { columns?.deallocate() }
            for pair in pairs {
                let (image, group) = pair.quotientAndRemainder(dividingBy: g.groups)
                body(image, group, columns)
            }
        }
    }

    /// Scratch for one band of a group's im2col matrix; pointwise convolutions need none.
    private static func allocateColumns(_ g: Conv2dGeometry) -> UnsafeMutablePointer<Float>? {
        g.isPointwise ? nil : UnsafeMutablePointer<Float>.allocate(capacity: g.columnRows * g.outputBands[0].count * g.outWidth)
    }

    /// The im2col matrix of one group of one image over the output rows
    /// `band`, with its row length: unfolded into `columns`, or the input
    /// planes themselves when there is no scratch (pointwise).
    private static func columnMatrix(
        _ g: Conv2dGeometry, image: UnsafePointer<Float>, band: Range<Int>, columns: UnsafeMutablePointer<Float>?
    ) -> (start: UnsafePointer<Float>, rowLength: Int) {
        guard let columns else { return (image + band.lowerBound * g.outWidth, g.inputPlane) }
        unfold(g, image: image, band: band, columns: columns)
        return (UnsafePointer(columns), band.count * g.outWidth)
    }

    /// im2col of one group of one image over the output rows `band`: row
    /// (channel, ky, kx) of `columns` [columnRows, band.count · outWidth]
    /// holds the input under that tap for every output position of the band,
    /// zero where the tap falls in the padding.
    private static func unfold(
        _ g: Conv2dGeometry, image: UnsafePointer<Float>, band: Range<Int>, columns: UnsafeMutablePointer<Float>
    ) {
        let rowLength = band.count * g.outWidth
        Parallel.forRanges(g.inChannelsPerGroup) { channels in
            for channel in channels {
                let plane = image + channel * g.inputPlane
                g.forEachTapWindow { window in
                    let row = columns + (channel * g.kernelArea + window.tap) * rowLength
                    if !window.covers(band) { row.update(repeating: 0, count: rowLength) }
                    let step = window.inputColumnStep
                    window.forEachSpan(in: band) { outputStart, inputStart, count in
                        for index in 0..<count { row[outputStart + index] = plane[inputStart + index * step] }
                    }
                }
            }
        }
    }

    /// col2im of `unfold`'s layout: adds every entry of `columns` back onto
    /// the input position it was read from.
    private static func fold(
        _ g: Conv2dGeometry, columns: UnsafePointer<Float>, band: Range<Int>, image: UnsafeMutablePointer<Float>
    ) {
        let rowLength = band.count * g.outWidth
        Parallel.forRanges(g.inChannelsPerGroup) { channels in
            for channel in channels {
                let plane = image + channel * g.inputPlane
                g.forEachTapWindow { window in
                    let row = columns + (channel * g.kernelArea + window.tap) * rowLength
                    let step = window.inputColumnStep
                    window.forEachSpan(in: band) { outputStart, inputStart, count in
                        for index in 0..<count { plane[inputStart + index * step] += row[outputStart + index] }
                    }
                }
            }
        }
    }

    // Depthwise: output channel c reads input channel c / multiplier, where
    // multiplier = outChannels / inChannels, so output plane p (over batch
    // and channels) reads input plane p / multiplier.

    private static func depthwiseForward(
        _ g: Conv2dGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>
    ) {
        let multiplier = g.outChannels / g.inChannels
        Parallel.forRanges(g.batch * g.outChannels) { planes in
            for plane in planes {
                let channel = plane % g.outChannels
                let source = input + plane / multiplier * g.inputPlane
                let target = output + plane * g.outputPlane
                let filter = weight + channel * g.kernelArea
                target.update(repeating: bias?[channel] ?? 0, count: g.outputPlane)
                g.forEachTapWindow { window in
                    let tapWeight = filter[window.tap]
                    let step = window.inputColumnStep
                    window.forEachSpan(in: 0..<g.outHeight) { outputStart, inputStart, count in
                        for index in 0..<count { target[outputStart + index] += tapWeight * source[inputStart + index * step] }
                    }
                }
            }
        }
    }

    private static func depthwiseBackwardInput(
        _ g: Conv2dGeometry, outputGradient: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>
    ) {
        let multiplier = g.outChannels / g.inChannels
        // Split over input planes so that no two workers add into the same one.
        Parallel.forRanges(g.batch * g.inChannels) { planes in
            for plane in planes {
                let target = inputGradient + plane * g.inputPlane
                for outputPlane in plane * multiplier..<(plane + 1) * multiplier {
                    let gradient = outputGradient + outputPlane * g.outputPlane
                    let filter = weight + outputPlane % g.outChannels * g.kernelArea
                    g.forEachTapWindow { window in
                        let tapWeight = filter[window.tap]
                        let step = window.inputColumnStep
                        window.forEachSpan(in: 0..<g.outHeight) { outputStart, inputStart, count in
                            for index in 0..<count { target[inputStart + index * step] += tapWeight * gradient[outputStart + index] }
                        }
                    }
                }
            }
        }
    }

    private static func depthwiseBackwardWeight(
        _ g: Conv2dGeometry, input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        weightGradient: UnsafeMutablePointer<Float>
    ) {
        let multiplier = g.outChannels / g.inChannels
        // Split over output channels so that no two workers add into the same filter.
        Parallel.forRanges(g.outChannels) { channels in
            // Products are summed per output column first: an element-wise
            // loop vectorises, a single float accumulator would not.
            let lanes = UnsafeMutablePointer<Float>.allocate(capacity: g.outWidth)
            defer { lanes.deallocate() }
            for channel in channels {
                let filterGradient = weightGradient + channel * g.kernelArea
                for image in 0..<g.batch {
                    let plane = image * g.outChannels + channel
                    let source = input + plane / multiplier * g.inputPlane
                    let gradient = outputGradient + plane * g.outputPlane
                    g.forEachTapWindow { window in
                        let step = window.inputColumnStep
                        lanes.update(repeating: 0, count: g.outWidth)
                        window.forEachSpan(in: 0..<g.outHeight) { outputStart, inputStart, count in
                            for index in 0..<count { lanes[index] += gradient[outputStart + index] * source[inputStart + index * step] }
                        }
                        var sum: Float = 0
                        for lane in 0..<window.columns.count { sum += lanes[lane] }
                        filterGradient[window.tap] += sum
                    }
                }
            }
        }
    }
}
