import Kernels
import TestSupport
import Testing

// MARK: Helpers shared by the CNN kernel tests

/// Central finite differences of `loss` at `point`, one coordinate at a time.
func centralDifferenceGradient(at point: [Double], epsilon: Double = 1e-4, _ loss: ([Double]) -> Double) -> [Double] {
    var shifted = point
    return point.indices.map { index in
        shifted[index] = point[index] + epsilon
        let above = loss(shifted)
        shifted[index] = point[index] - epsilon
        let below = loss(shifted)
        shifted[index] = point[index]
        return (above - below) / (2 * epsilon)
    }
}

func dot(_ a: [Double], _ b: [Double]) -> Double {
    zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
}

func doubles(_ tensor: Tensor) -> [Double] { tensor.array.map(Double.init) }

/// Checks a backward kernel's result: it must equal what the buffer held
/// before (`prefill`, since backward kernels accumulate) plus `gradient`.
func expectAccumulated(_ actual: Tensor, prefill: [Float], gradient: [Double], tolerance: Float = 1e-5,
                       _ comment: Comment, sourceLocation: SourceLocation = #_sourceLocation) {
    let expected = zip(prefill, gradient).map { Float(Double($0) + $1) }
    let error = maxRelativeError(actual.array, expected)
    #expect(error < tolerance, "\(comment): error \(error)", sourceLocation: sourceLocation)
}

// MARK: Naive convolution

/// Calls `body(output, input, weight)` with the flat indices of every
/// multiply of the convolution: the definition, written as plainly as possible.
func forEachConvolutionTerm(_ g: Conv2dGeometry, _ body: (Int, Int, Int) -> Void) {
    let inPerGroup = g.inChannelsPerGroup
    for image in 0..<g.batch {
        for outChannel in 0..<g.outChannels {
            let group = outChannel / g.outChannelsPerGroup
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    let output = ((image * g.outChannels + outChannel) * g.outHeight + oy) * g.outWidth + ox
                    for channel in 0..<inPerGroup {
                        for ky in 0..<g.kernelHeight {
                            for kx in 0..<g.kernelWidth {
                                let iy = oy * g.strideY - g.paddingY + ky * g.dilationY
                                let ix = ox * g.strideX - g.paddingX + kx * g.dilationX
                                guard iy >= 0, iy < g.height, ix >= 0, ix < g.width else { continue }
                                let input = ((image * g.inChannels + group * inPerGroup + channel) * g.height + iy) * g.width + ix
                                let weight = ((outChannel * inPerGroup + channel) * g.kernelHeight + ky) * g.kernelWidth + kx
                                body(output, input, weight)
                            }
                        }
                    }
                }
            }
        }
    }
}

func naiveConvolution(_ g: Conv2dGeometry, input: [Double], weight: [Double], bias: [Double]?) -> [Double] {
    let plane = g.outHeight * g.outWidth
    var output = (0..<g.outputCount).map { bias?[$0 / plane % g.outChannels] ?? 0 }
    forEachConvolutionTerm(g) { o, i, w in output[o] += input[i] * weight[w] }
    return output
}

struct NaiveConvolutionGradients {
    var input: [Double]
    var weight: [Double]
    var bias: [Double]

    init(_ g: Conv2dGeometry, input x: [Double], weight w: [Double], outputGradient dy: [Double]) {
        input = [Double](repeating: 0, count: g.inputCount)
        weight = [Double](repeating: 0, count: g.weightCount)
        bias = [Double](repeating: 0, count: g.outChannels)
        forEachConvolutionTerm(g) { o, i, k in
            input[i] += dy[o] * w[k]
            weight[k] += dy[o] * x[i]
        }
        let plane = g.outHeight * g.outWidth
        for (index, value) in dy.enumerated() { bias[index / plane % g.outChannels] += value }
    }
}

// MARK: Cases

struct ConvolutionCase: Sendable, CustomTestStringConvertible {
    var batch = 1, inChannels = 1, height = 7, width = 5, outChannels = 1
    var kernel = (3, 3), stride = (1, 1), padding = (0, 0), dilation = (1, 1), groups = 1
    var hasBias = true
    /// Small enough for finite differences over every coordinate.
    var checksFiniteDifferences = true
    /// Range of the random inputs, weights and gradients.
    var values: ClosedRange<Float> = -1...1

    var geometry: Conv2dGeometry {
        Conv2dGeometry(batch: batch, inChannels: inChannels, height: height, width: width, outChannels: outChannels,
                       kernel: kernel, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    var testDescription: String {
        "N\(batch) \(inChannels)→\(outChannels) \(height)×\(width) k\(kernel) s\(stride) p\(padding) d\(dilation) g\(groups)"
            + (hasBias ? " bias" : "")
    }

    static let chosen: [ConvolutionCase] = [
        ConvolutionCase(batch: 2, inChannels: 3, outChannels: 4, padding: (1, 1)),
        ConvolutionCase(inChannels: 4, height: 9, width: 7, outChannels: 6, kernel: (5, 5), stride: (2, 2),
                        padding: (2, 2), groups: 2),
        ConvolutionCase(batch: 2, inChannels: 4, outChannels: 8, stride: (2, 1), padding: (1, 0), dilation: (2, 2)),
        ConvolutionCase(batch: 2, inChannels: 5, outChannels: 3, kernel: (1, 1), hasBias: false),
        ConvolutionCase(inChannels: 4, outChannels: 2, kernel: (1, 1), stride: (2, 2)),
        ConvolutionCase(batch: 2, inChannels: 4, outChannels: 4, padding: (1, 1), groups: 4),
        ConvolutionCase(inChannels: 3, height: 9, width: 8, outChannels: 6, kernel: (7, 7), stride: (2, 2),
                        padding: (3, 3), groups: 3),
        ConvolutionCase(batch: 2, inChannels: 2, outChannels: 2, padding: (2, 2), dilation: (2, 2), groups: 2, hasBias: false),
        ConvolutionCase(inChannels: 3, height: 11, width: 9, outChannels: 4, kernel: (7, 7), stride: (2, 2), padding: (3, 3)),
        ConvolutionCase(inChannels: 4, outChannels: 2, kernel: (3, 1), padding: (1, 0), groups: 2),
        // Large enough for the GEMM split and the parallel im2col.
        ConvolutionCase(inChannels: 16, height: 20, width: 19, outChannels: 32, padding: (1, 1), checksFiniteDifferences: false),
        ConvolutionCase(batch: 3, inChannels: 8, height: 15, width: 13, outChannels: 6, stride: (2, 2), padding: (1, 1),
                        groups: 2, checksFiniteDifferences: false),
        ConvolutionCase(batch: 2, inChannels: 24, height: 17, width: 16, outChannels: 24, kernel: (5, 5), padding: (2, 2),
                        groups: 24, checksFiniteDifferences: false),
        // Enough im2col rows (64 · 5 · 5 per group) that the 40 output rows
        // unfold in three bands. Sums of 1600 float products round by ~3e-5
        // of their partial sums; smaller values keep that under the bound.
        ConvolutionCase(inChannels: 128, height: 80, width: 40, outChannels: 4, kernel: (5, 5), stride: (2, 2),
                        padding: (2, 2), groups: 2, checksFiniteDifferences: false, values: -0.25...0.25),
    ]

    /// Shapes drawn from a seeded generator, odd sizes and every kind of grouping included.
    static let drawn: [ConvolutionCase] = {
        var generator = SeededGenerator(seed: 2024)
        return (0..<8).map { _ in
            var c = ConvolutionCase()
            c.batch = Int.random(in: 1...2, using: &generator)
            let kernelSide = [1, 3, 5].randomElement(using: &generator)!
            c.kernel = (kernelSide, [1, 3].randomElement(using: &generator)!)
            c.stride = (Int.random(in: 1...2, using: &generator), Int.random(in: 1...2, using: &generator))
            c.dilation = (Int.random(in: 1...2, using: &generator), Int.random(in: 1...2, using: &generator))
            c.padding = (Int.random(in: 0...c.kernel.0 / 2 * c.dilation.0, using: &generator),
                         Int.random(in: 0...c.kernel.1 / 2 * c.dilation.1, using: &generator))
            c.height = Int.random(in: 5...9, using: &generator) + (c.kernel.0 - 1) * c.dilation.0
            c.width = Int.random(in: 4...8, using: &generator) + (c.kernel.1 - 1) * c.dilation.1
            switch Int.random(in: 0..<3, using: &generator) {
            case 0:
                c.groups = 1
                c.inChannels = Int.random(in: 1...3, using: &generator)
                c.outChannels = Int.random(in: 1...3, using: &generator)
            case 1:
                c.groups = 2
                c.inChannels = 2 * Int.random(in: 1...2, using: &generator)
                c.outChannels = 2 * Int.random(in: 1...2, using: &generator)
            default:
                c.groups = Int.random(in: 2...3, using: &generator)
                c.inChannels = c.groups
                c.outChannels = c.groups * Int.random(in: 1...2, using: &generator)
            }
            c.hasBias = Bool.random(using: &generator)
            return c
        }
    }()
}

// MARK: Tests

@Suite struct ConvolutionTests {
    @Test(arguments: ConvolutionCase.chosen + ConvolutionCase.drawn)
    func forwardAndBackwardMatchNaiveReference(_ testCase: ConvolutionCase) {
        let g = testCase.geometry
        var generator = SeededGenerator(seed: UInt64(g.inputCount * 31 + g.weightCount))
        let range = testCase.values
        let input = Tensor.random(g.inputShape, in: range, using: &generator)
        let weight = Tensor.random(g.weightShape, in: range, using: &generator)
        let bias = testCase.hasBias ? Tensor.random([g.outChannels], in: range, using: &generator) : nil
        let outputGradient = Tensor.random(g.outputShape, in: range, using: &generator)

        let output = Conv2d.forward(input, weight: weight, bias: bias, stride: testCase.stride, padding: testCase.padding,
                                    dilation: testCase.dilation, groups: testCase.groups)
        #expect(output.shape == g.outputShape)
        let expected = naiveConvolution(g, input: doubles(input), weight: doubles(weight), bias: bias.map(doubles))
        #expect(maxRelativeError(output.array, expected.map(Float.init)) < 1e-5)

        let inputPrefill = Tensor.random(input.shape, using: &generator)
        let weightPrefill = Tensor.random(weight.shape, using: &generator)
        let biasPrefill = Tensor.random([g.outChannels], using: &generator)
        let inputGradient = inputPrefill.copy(), weightGradient = weightPrefill.copy(), biasGradient = biasPrefill.copy()
        Conv2d.backwardInput(g, outputGradient: outputGradient.pointer, weight: weight.pointer,
                             inputGradient: inputGradient.pointer)
        Conv2d.backwardWeight(g, input: input.pointer, outputGradient: outputGradient.pointer,
                              weightGradient: weightGradient.pointer)
        Conv2d.backwardBias(g, outputGradient: outputGradient.pointer, biasGradient: biasGradient.pointer)

        let naive = NaiveConvolutionGradients(g, input: doubles(input), weight: doubles(weight),
                                              outputGradient: doubles(outputGradient))
        expectAccumulated(inputGradient, prefill: inputPrefill.array, gradient: naive.input, "input gradient vs naive")
        expectAccumulated(weightGradient, prefill: weightPrefill.array, gradient: naive.weight, "weight gradient vs naive")
        expectAccumulated(biasGradient, prefill: biasPrefill.array, gradient: naive.bias, "bias gradient vs naive")

        guard testCase.checksFiniteDifferences else { return }
        // The loss Σ dY · conv(x, w, b) has gradient backward(dY) in every argument.
        let x = doubles(input), w = doubles(weight), b = bias.map(doubles) ?? [Double](repeating: 0, count: g.outChannels)
        let dy = doubles(outputGradient)
        let numericInput = centralDifferenceGradient(at: x) { dot(dy, naiveConvolution(g, input: $0, weight: w, bias: b)) }
        let numericWeight = centralDifferenceGradient(at: w) { dot(dy, naiveConvolution(g, input: x, weight: $0, bias: b)) }
        let numericBias = centralDifferenceGradient(at: b) { dot(dy, naiveConvolution(g, input: x, weight: w, bias: $0)) }
        #expect(maxAbsoluteError(naive.input.map(Float.init), numericInput.map(Float.init)) < 1e-6)
        #expect(maxAbsoluteError(naive.weight.map(Float.init), numericWeight.map(Float.init)) < 1e-6)
        #expect(maxAbsoluteError(naive.bias.map(Float.init), numericBias.map(Float.init)) < 1e-6)
        expectAccumulated(inputGradient, prefill: inputPrefill.array, gradient: numericInput, "input gradient vs differences")
        expectAccumulated(weightGradient, prefill: weightPrefill.array, gradient: numericWeight, "weight gradient vs differences")
        expectAccumulated(biasGradient, prefill: biasPrefill.array, gradient: numericBias, "bias gradient vs differences")
    }

    @Test func outputSizeFollowsPyTorchFormula() {
        let g = Conv2dGeometry(batch: 1, inChannels: 1, height: 224, width: 223, outChannels: 1,
                               kernel: (7, 5), stride: (2, 3), padding: (3, 1), dilation: (1, 2))
        #expect(g.outHeight == (224 + 6 - 6 - 1) / 2 + 1)
        #expect(g.outWidth == (223 + 2 - 8 - 1) / 3 + 1)
    }
}
