import Kernels
import TestSupport
import Testing

/// Batch norm from its definition, element by element in Double.
struct NaiveBatchNorm {
    let geometry: BatchNormGeometry
    let epsilon: Double

    func channel(of index: Int) -> Int { index / geometry.spatial % geometry.channels }

    func inference(_ x: [Double], mean: [Double], variance: [Double], weight: [Double], bias: [Double]) -> [Double] {
        x.indices.map { index in
            let c = channel(of: index)
            return (x[index] - mean[c]) / (variance[c] + epsilon).squareRoot() * weight[c] + bias[c]
        }
    }

    /// Per-channel mean and biased variance over batch and positions.
    func statistics(_ x: [Double]) -> (mean: [Double], variance: [Double]) {
        let count = Double(geometry.batch * geometry.spatial)
        var mean = [Double](repeating: 0, count: geometry.channels)
        for index in x.indices { mean[channel(of: index)] += x[index] / count }
        var variance = [Double](repeating: 0, count: geometry.channels)
        for index in x.indices {
            let deviation = x[index] - mean[channel(of: index)]
            variance[channel(of: index)] += deviation * deviation / count
        }
        return (mean, variance)
    }

    func training(_ x: [Double], weight: [Double], bias: [Double]) -> [Double] {
        let (mean, variance) = statistics(x)
        return inference(x, mean: mean, variance: variance, weight: weight, bias: bias)
    }

    /// The textbook gradients of `training`.
    func trainingBackward(_ x: [Double], _ dy: [Double], weight: [Double]) -> (input: [Double], weight: [Double], bias: [Double]) {
        let (mean, variance) = statistics(x)
        let count = Double(geometry.batch * geometry.spatial)
        let normalised = x.indices.map { (x[$0] - mean[channel(of: $0)]) / (variance[channel(of: $0)] + epsilon).squareRoot() }
        var weightGradient = [Double](repeating: 0, count: geometry.channels)
        var biasGradient = [Double](repeating: 0, count: geometry.channels)
        for index in x.indices {
            weightGradient[channel(of: index)] += dy[index] * normalised[index]
            biasGradient[channel(of: index)] += dy[index]
        }
        let inputGradient = x.indices.map { index in
            let c = channel(of: index)
            return weight[c] / (variance[c] + epsilon).squareRoot()
                * (dy[index] - biasGradient[c] / count - normalised[index] * weightGradient[c] / count)
        }
        return (inputGradient, weightGradient, biasGradient)
    }
}

struct BatchNormCase: Sendable, CustomTestStringConvertible {
    var batch: Int, channels: Int, spatial: Int, affine: Bool

    var geometry: BatchNormGeometry { BatchNormGeometry(batch: batch, channels: channels, spatial: spatial) }
    var testDescription: String { "N\(batch) C\(channels) spatial \(spatial)" + (affine ? " affine" : "") }

    /// [N, C, 7, 5], [N, C, 3, 3] without affine parameters, [N, C] input.
    static let all = [BatchNormCase(batch: 2, channels: 3, spatial: 35, affine: true),
                      BatchNormCase(batch: 1, channels: 4, spatial: 9, affine: false),
                      BatchNormCase(batch: 3, channels: 2, spatial: 1, affine: true),
                      BatchNormCase(batch: 2, channels: 5, spatial: 12, affine: true)]
}

/// Random inputs and parameters of one case; nil parameters when the norm has no affine part.
struct BatchNormInputs {
    let input: Tensor, outputGradient: Tensor
    let weight: Tensor?, bias: Tensor?
    let runningMean: Tensor, runningVariance: Tensor
    let epsilon: Float = 1e-5

    init(_ testCase: BatchNormCase, seed: UInt64) {
        let g = testCase.geometry
        var generator = SeededGenerator(seed: seed)
        let shape = [g.batch, g.channels, g.spatial]
        // Off-centre values, so that subtracting the mean matters.
        input = Tensor.random(shape, in: 1...3, using: &generator)
        outputGradient = Tensor.random(shape, using: &generator)
        weight = testCase.affine ? Tensor.random([g.channels], in: 0.5...1.5, using: &generator) : nil
        bias = testCase.affine ? Tensor.random([g.channels], using: &generator) : nil
        runningMean = Tensor.random([g.channels], using: &generator)
        runningVariance = Tensor.random([g.channels], in: 0.2...2, using: &generator)
    }

    var weights: [Double] { weight.map(doubles) ?? [Double](repeating: 1, count: runningMean.count) }
    var biases: [Double] { bias.map(doubles) ?? [Double](repeating: 0, count: runningMean.count) }
}

@Suite struct BatchNormTests {
    @Test(arguments: BatchNormCase.all)
    func inferenceMatchesNaiveReference(_ testCase: BatchNormCase) {
        let g = testCase.geometry, values = BatchNormInputs(testCase, seed: 1)
        let naive = NaiveBatchNorm(geometry: g, epsilon: Double(values.epsilon))
        let output = Tensor(uninitialized: values.input.shape)
        BatchNorm2d.inferenceForward(g, input: values.input.pointer, runningMean: values.runningMean.pointer,
                                     runningVariance: values.runningVariance.pointer, weight: values.weight?.pointer,
                                     bias: values.bias?.pointer, epsilon: values.epsilon, output: output.pointer)
        let x = doubles(values.input), mean = doubles(values.runningMean), variance = doubles(values.runningVariance)
        let forward = { naive.inference($0, mean: mean, variance: variance, weight: values.weights, bias: values.biases) }
        #expect(maxRelativeError(output.array, forward(x).map(Float.init)) < 1e-5)

        var generator = SeededGenerator(seed: 2)
        let prefill = Tensor.random(values.input.shape, using: &generator)
        let inputGradient = prefill.copy()
        BatchNorm2d.inferenceBackward(g, outputGradient: values.outputGradient.pointer,
                                      runningVariance: values.runningVariance.pointer, weight: values.weight?.pointer,
                                      epsilon: values.epsilon, inputGradient: inputGradient.pointer)
        let dy = doubles(values.outputGradient)
        let expected = x.indices.map { dy[$0] * values.weights[naive.channel(of: $0)]
            / (variance[naive.channel(of: $0)] + naive.epsilon).squareRoot() }
        let numeric = centralDifferenceGradient(at: x) { dot(dy, forward($0)) }
        #expect(maxAbsoluteError(expected.map(Float.init), numeric.map(Float.init)) < 1e-6)
        expectAccumulated(inputGradient, prefill: prefill.array, gradient: expected, "vs naive")
        expectAccumulated(inputGradient, prefill: prefill.array, gradient: numeric, "vs differences")
    }

    @Test(arguments: [true, false])
    func foldingGivesConvolutionThenNorm(affineAndBias: Bool) {
        var generator = SeededGenerator(seed: 3)
        let input = Tensor.random([2, 3, 7, 5], using: &generator)
        let convolutionWeight = Tensor.random([4, 3, 3, 3], using: &generator)
        let convolutionBias = affineAndBias ? Tensor.random([4], using: &generator) : nil
        let values = BatchNormInputs(BatchNormCase(batch: 2, channels: 4, spatial: 1, affine: affineAndBias), seed: 4)
        let folded = BatchNorm2d.fold(convolutionWeight: convolutionWeight, convolutionBias: convolutionBias,
                                      runningMean: values.runningMean, runningVariance: values.runningVariance,
                                      weight: values.weight, bias: values.bias, epsilon: values.epsilon)
        let output = Conv2d.forward(input, weight: folded.weight, bias: folded.bias, padding: (1, 1))

        let geometry = Conv2dGeometry(inputShape: input.shape, weightShape: convolutionWeight.shape, padding: (1, 1))
        let convolved = naiveConvolution(geometry, input: doubles(input), weight: doubles(convolutionWeight),
                                         bias: convolutionBias.map(doubles))
        let naive = NaiveBatchNorm(geometry: BatchNormGeometry(shape: geometry.outputShape), epsilon: Double(values.epsilon))
        let expected = naive.inference(convolved, mean: doubles(values.runningMean), variance: doubles(values.runningVariance),
                                       weight: values.weights, bias: values.biases)
        #expect(maxRelativeError(output.array, expected.map(Float.init)) < 1e-5)
    }

    @Test(arguments: BatchNormCase.all)
    func trainingForwardMatchesNaiveReference(_ testCase: BatchNormCase) {
        let g = testCase.geometry, values = BatchNormInputs(testCase, seed: 5)
        let naive = NaiveBatchNorm(geometry: g, epsilon: Double(values.epsilon))
        let runningMean = values.runningMean.copy(), runningVariance = values.runningVariance.copy()
        let output = Tensor(uninitialized: values.input.shape)
        let savedMean = Tensor(uninitialized: [g.channels]), savedInverseStd = Tensor(uninitialized: [g.channels])
        let momentum: Float = 0.1
        BatchNorm2d.trainingForward(g, input: values.input.pointer, weight: values.weight?.pointer, bias: values.bias?.pointer,
                                    epsilon: values.epsilon, momentum: momentum,
                                    runningMean: runningMean.pointer, runningVariance: runningVariance.pointer,
                                    output: output.pointer, savedMean: savedMean.pointer,
                                    savedInverseStd: savedInverseStd.pointer)
        let x = doubles(values.input)
        let (mean, variance) = naive.statistics(x)
        let count = Double(g.valuesPerChannel), m = Double(momentum)
        #expect(maxRelativeError(output.array, naive.training(x, weight: values.weights, bias: values.biases).map(Float.init)) < 1e-5)
        #expect(maxRelativeError(savedMean.array, mean.map(Float.init)) < 1e-5)
        #expect(maxRelativeError(savedInverseStd.array, variance.map { Float(1 / ($0 + naive.epsilon).squareRoot()) }) < 1e-5)
        let expectedRunningMean = zip(doubles(values.runningMean), mean).map { (1 - m) * $0 + m * $1 }
        let expectedRunningVariance = zip(doubles(values.runningVariance), variance).map {
            (1 - m) * $0 + m * $1 * count / (count - 1)
        }
        #expect(maxRelativeError(runningMean.array, expectedRunningMean.map(Float.init)) < 1e-5)
        #expect(maxRelativeError(runningVariance.array, expectedRunningVariance.map(Float.init)) < 1e-5)
    }

    @Test(arguments: BatchNormCase.all)
    func trainingBackwardMatchesNaiveReferenceAndDifferences(_ testCase: BatchNormCase) {
        let g = testCase.geometry, values = BatchNormInputs(testCase, seed: 6)
        let naive = NaiveBatchNorm(geometry: g, epsilon: Double(values.epsilon))
        let x = doubles(values.input), dy = doubles(values.outputGradient)
        let (mean, variance) = naive.statistics(x)
        let savedMean = Tensor(shape: [g.channels], values: mean.map(Float.init))
        let savedInverseStd = Tensor(shape: [g.channels], values: variance.map { Float(1 / ($0 + naive.epsilon).squareRoot()) })
        var generator = SeededGenerator(seed: 7)
        let inputPrefill = Tensor.random(values.input.shape, using: &generator)
        let weightPrefill = Tensor.random([g.channels], using: &generator)
        let biasPrefill = Tensor.random([g.channels], using: &generator)
        let inputGradient = inputPrefill.copy(), weightGradient = weightPrefill.copy(), biasGradient = biasPrefill.copy()
        BatchNorm2d.trainingBackward(g, input: values.input.pointer, outputGradient: values.outputGradient.pointer,
                                     savedMean: savedMean.pointer, savedInverseStd: savedInverseStd.pointer,
                                     weight: values.weight?.pointer, inputGradient: inputGradient.pointer,
                                     weightGradient: weightGradient.pointer, biasGradient: biasGradient.pointer)

        let expected = naive.trainingBackward(x, dy, weight: values.weights)
        let weights = values.weights, biases = values.biases
        let numericInput = centralDifferenceGradient(at: x, epsilon: 1e-5) {
            dot(dy, naive.training($0, weight: weights, bias: biases))
        }
        let numericWeight = centralDifferenceGradient(at: weights) { dot(dy, naive.training(x, weight: $0, bias: biases)) }
        let numericBias = centralDifferenceGradient(at: biases) { dot(dy, naive.training(x, weight: weights, bias: $0)) }
        #expect(maxAbsoluteError(expected.input.map(Float.init), numericInput.map(Float.init)) < 1e-6)
        #expect(maxAbsoluteError(expected.weight.map(Float.init), numericWeight.map(Float.init)) < 1e-6)
        #expect(maxAbsoluteError(expected.bias.map(Float.init), numericBias.map(Float.init)) < 1e-6)
        expectAccumulated(inputGradient, prefill: inputPrefill.array, gradient: expected.input, "input vs naive")
        expectAccumulated(inputGradient, prefill: inputPrefill.array, gradient: numericInput, "input vs differences")
        expectAccumulated(weightGradient, prefill: weightPrefill.array, gradient: expected.weight, "weight vs naive")
        expectAccumulated(weightGradient, prefill: weightPrefill.array, gradient: numericWeight, "weight vs differences")
        expectAccumulated(biasGradient, prefill: biasPrefill.array, gradient: expected.bias, "bias vs naive")
        expectAccumulated(biasGradient, prefill: biasPrefill.array, gradient: numericBias, "bias vs differences")
    }
}
