/// Shape of a batch norm input [N, C, …]: statistics are per channel, over
/// the batch and the `spatial` positions of each plane (1 for [N, C] input).
public struct BatchNormGeometry: Sendable, Equatable {
    public let batch: Int
    public let channels: Int
    public let spatial: Int

    public init(batch: Int, channels: Int, spatial: Int) {
        precondition(batch >= 1 && channels >= 1 && spatial >= 1, "batch norm: N \(batch), C \(channels), spatial \(spatial)")
        self.batch = batch
        self.channels = channels
        self.spatial = spatial
    }

    public init(shape: [Int]) {
        precondition(shape.count >= 2, "batch norm of \(shape)")
        self.init(batch: shape[0], channels: shape[1], spatial: shape.dropFirst(2).reduce(1, *))
    }

    /// Values that share one channel's statistics.
    public var valuesPerChannel: Int { batch * spatial }

    /// Calls `body(start)` with the flat index of each of `channel`'s planes.
    @inline(__always)
    func forEachPlane(of channel: Int, _ body: (Int) -> Void) {
        for image in 0..<batch { body((image * channels + channel) * spatial) }
    }
}

/// Batch normalisation over NCHW input, with PyTorch's semantics.
///
/// `weight` and `bias` (γ, β) are nil for a norm without affine parameters.
/// Forward functions overwrite their output; backward functions add into the
/// gradient buffers they are given.
public enum BatchNorm2d {
    /// y = (x − mean) / √(variance + ε) · γ + β with the running statistics.
    public static func inferenceForward(
        _ geometry: BatchNormGeometry, input: UnsafePointer<Float>,
        runningMean: UnsafePointer<Float>, runningVariance: UnsafePointer<Float>,
        weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, epsilon: Float,
        output: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRanges(geometry.channels) { channels in
            for channel in channels {
                let (scale, shift) = inferenceAffine(channel: channel, runningMean: runningMean,
                                                     runningVariance: runningVariance, weight: weight, bias: bias,
                                                     epsilon: epsilon)
                normalise(geometry, channel: channel, input: input, scale: scale, shift: shift, output: output)
            }
        }
    }

    /// inputGradient += dy · γ / √(variance + ε): in inference the statistics are constants.
    public static func inferenceBackward(
        _ geometry: BatchNormGeometry, outputGradient: UnsafePointer<Float>,
        runningVariance: UnsafePointer<Float>, weight: UnsafePointer<Float>?, epsilon: Float,
        inputGradient: UnsafeMutablePointer<Float>
    ) {
        Parallel.forRanges(geometry.channels) { channels in
            for channel in channels {
                let scale = Float(inferenceScale(channel: channel, runningVariance: runningVariance,
                                                 weight: weight, epsilon: epsilon))
                geometry.forEachPlane(of: channel) { start in
                    for index in start..<start + geometry.spatial { inputGradient[index] += outputGradient[index] * scale }
                }
            }
        }
    }

    /// Folds an inference batch norm into the convolution before it: the
    /// returned weight and bias give conv → batch norm in one convolution.
    /// `convolutionWeight` is [Cout, …] with Cout the norm's channels.
    public static func fold(
        convolutionWeight: Tensor, convolutionBias: Tensor?, runningMean: Tensor, runningVariance: Tensor,
        weight: Tensor?, bias: Tensor?, epsilon: Float
    ) -> (weight: Tensor, bias: Tensor) {
        let channels = convolutionWeight.shape[0]
        precondition(runningMean.count == channels && runningVariance.count == channels
                     && weight.map { $0.count == channels } ?? true && bias.map { $0.count == channels } ?? true
                     && convolutionBias.map { $0.count == channels } ?? true,
                     "batch norm fold: parameters do not match \(channels) output channels")
        let filterSize = convolutionWeight.count / channels
        let foldedWeight = Tensor(uninitialized: convolutionWeight.shape)
        let foldedBias = Tensor(uninitialized: [channels])
        for channel in 0..<channels {
            let (scale, shift) = inferenceAffine(channel: channel, runningMean: runningMean.pointer,
                                                 runningVariance: runningVariance.pointer, weight: weight?.pointer,
                                                 bias: bias?.pointer, epsilon: epsilon)
            let source = convolutionWeight.pointer + channel * filterSize
            let target = foldedWeight.pointer + channel * filterSize
            for index in 0..<filterSize { target[index] = source[index] * scale }
            foldedBias[flat: channel] = (convolutionBias?[flat: channel] ?? 0) * scale + shift
        }
        return (foldedWeight, foldedBias)
    }

    /// Normalises with the batch's own statistics (biased variance), saves
    /// the mean and 1/√(variance + ε) per channel for the backward pass, and
    /// moves the running statistics by `momentum` towards the batch's, with
    /// the unbiased variance for the running variance, as PyTorch does.
    public static func trainingForward(
        _ geometry: BatchNormGeometry, input: UnsafePointer<Float>,
        weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, epsilon: Float, momentum: Float,
        runningMean: UnsafeMutablePointer<Float>?, runningVariance: UnsafeMutablePointer<Float>?,
        output: UnsafeMutablePointer<Float>,
        savedMean: UnsafeMutablePointer<Float>, savedInverseStd: UnsafeMutablePointer<Float>
    ) {
        let count = geometry.valuesPerChannel
        precondition(count > 1, "batch norm training needs more than one value per channel")
        Parallel.forRanges(geometry.channels) { channels in
            for channel in channels {
                // Two passes in Double: one-pass formulas lose the variance
                // of values far from zero.
                var sum: Double = 0
                geometry.forEachPlane(of: channel) { start in
                    for index in start..<start + geometry.spatial { sum += Double(input[index]) }
                }
                let mean = sum / Double(count)
                var squares: Double = 0
                geometry.forEachPlane(of: channel) { start in
                    for index in start..<start + geometry.spatial {
                        let deviation = Double(input[index]) - mean
                        squares += deviation * deviation
                    }
                }
                let variance = squares / Double(count)
                let inverseStd = 1 / (variance + Double(epsilon)).squareRoot()
                savedMean[channel] = Float(mean)
                savedInverseStd[channel] = Float(inverseStd)
                if let runningMean {
                    runningMean[channel] = (1 - momentum) * runningMean[channel] + momentum * Float(mean)
                }
                if let runningVariance {
                    let unbiased = squares / Double(count - 1)
                    runningVariance[channel] = (1 - momentum) * runningVariance[channel] + momentum * Float(unbiased)
                }
                let scale = Double(weight?[channel] ?? 1) * inverseStd
                let shift = Double(bias?[channel] ?? 0) - mean * scale
                normalise(geometry, channel: channel, input: input, scale: Float(scale), shift: Float(shift), output: output)
            }
        }
    }

    /// Gradients of `trainingForward` through the batch statistics:
    /// dβ = Σ dy, dγ = Σ dy · x̂, dx = γ/σ · (dy − dβ/M − x̂ · dγ/M), with
    /// x̂ = (x − mean)/σ and M values per channel. Nil gradient buffers are skipped.
    public static func trainingBackward(
        _ geometry: BatchNormGeometry, input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        savedMean: UnsafePointer<Float>, savedInverseStd: UnsafePointer<Float>, weight: UnsafePointer<Float>?,
        inputGradient: UnsafeMutablePointer<Float>?,
        weightGradient: UnsafeMutablePointer<Float>?, biasGradient: UnsafeMutablePointer<Float>?
    ) {
        let count = Double(geometry.valuesPerChannel)
        Parallel.forRanges(geometry.channels) { channels in
            for channel in channels {
                let mean = savedMean[channel], inverseStd = savedInverseStd[channel]
                var gradientSum: Double = 0
                var projectedSum: Double = 0
                geometry.forEachPlane(of: channel) { start in
                    for index in start..<start + geometry.spatial {
                        let gradient = Double(outputGradient[index])
                        gradientSum += gradient
                        projectedSum += gradient * Double((input[index] - mean) * inverseStd)
                    }
                }
                weightGradient?[channel] += Float(projectedSum)
                biasGradient?[channel] += Float(gradientSum)
                guard let inputGradient else { continue }
                let scale = (weight?[channel] ?? 1) * inverseStd
                let meanGradient = Float(gradientSum / count)
                let meanProjection = Float(projectedSum / count)
                geometry.forEachPlane(of: channel) { start in
                    for index in start..<start + geometry.spatial {
                        let normalised = (input[index] - mean) * inverseStd
                        inputGradient[index] += scale * (outputGradient[index] - meanGradient - normalised * meanProjection)
                    }
                }
            }
        }
    }

    /// The inference norm of one channel as y = x · scale + shift.
    private static func inferenceAffine(
        channel: Int, runningMean: UnsafePointer<Float>, runningVariance: UnsafePointer<Float>,
        weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, epsilon: Float
    ) -> (scale: Float, shift: Float) {
        let scale = inferenceScale(channel: channel, runningVariance: runningVariance, weight: weight, epsilon: epsilon)
        return (Float(scale), Float(Double(bias?[channel] ?? 0) - Double(runningMean[channel]) * scale))
    }

    /// γ / √(variance + ε), in Double so that folding loses nothing before rounding.
    private static func inferenceScale(
        channel: Int, runningVariance: UnsafePointer<Float>, weight: UnsafePointer<Float>?, epsilon: Float
    ) -> Double {
        Double(weight?[channel] ?? 1) / (Double(runningVariance[channel]) + Double(epsilon)).squareRoot()
    }

    private static func normalise(
        _ geometry: BatchNormGeometry, channel: Int, input: UnsafePointer<Float>, scale: Float, shift: Float,
        output: UnsafeMutablePointer<Float>
    ) {
        geometry.forEachPlane(of: channel) { start in
            for index in start..<start + geometry.spatial { output[index] = input[index] * scale + shift }
        }
    }
}
