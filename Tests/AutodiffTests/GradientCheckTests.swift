import Autodiff
import Foundation
import Kernels
import TestSupport
import Testing

/// Checks every input's gradient of Σ probe ⊙ f(inputs) against central
/// finite differences, ggml test-backend-ops style.
func checkGradients(_ inputs: [Tensor], epsilon: Float = 1e-3, tolerance: Float = 1e-2,
                    seed: UInt64 = 1, sourceLocation: SourceLocation = #_sourceLocation,
                    _ f: ([Variable]) -> Variable) {
    var generator = SeededGenerator(seed: seed)
    let leaves = inputs.map { Variable($0, requiresGradient: true) }
    let output = f(leaves)
    let probe = Tensor.random(output.shape, using: &generator)
    output.backward(seed: probe)
    for (index, input) in inputs.enumerated() {
        let analytic = leaves[index].gradient?.array ?? [Float](repeating: 0, count: input.count)
        var numeric = [Float](repeating: 0, count: input.count)
        for element in 0..<input.count {
            let saved = input[flat: element]
            input[flat: element] = saved + epsilon
            let plus = f(inputs.map { Variable($0) }).value.copy()
            input[flat: element] = saved - epsilon
            let minus = f(inputs.map { Variable($0) }).value.copy()
            input[flat: element] = saved
            var difference: Double = 0
            for position in 0..<probe.count {
                difference += Double(probe[flat: position]) * Double(plus[flat: position] - minus[flat: position])
            }
            numeric[element] = Float(difference / Double(2 * epsilon))
        }
        let error = maxAbsoluteError(analytic, numeric)
        #expect(error < tolerance, "input \(index): max |analytic − numeric| = \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct GradientCheckTests {
    var generator = SeededGenerator(seed: 42)

    mutating func random(_ shape: [Int], _ range: ClosedRange<Float> = -1...1) -> Tensor {
        Tensor.random(shape, in: range, using: &generator)
    }

    @Test mutating func arithmetic() {
        checkGradients([random([2, 3]), random([2, 3])]) { add($0[0], $0[1]) }
        checkGradients([random([2, 3, 4]), random([4])]) { add($0[0], broadcasting: $0[1]) }
        checkGradients([random([5]), random([5])]) { multiply($0[0], $0[1]) }
        // 130 channels: wide enough for the column sums to split across workers.
        checkGradients([random([2, 3, 130]), random([130])]) { multiply($0[0], broadcasting: $0[1]) }
        checkGradients([random([3, 2])]) { scale($0[0], by: -2.5) }
        checkGradients([random([3, 2])]) { reshape($0[0], [6]) }
    }

    @Test mutating func linearLayer() {
        checkGradients([random([2, 3, 5]), random([4, 5]), random([4])]) { linear($0[0], weight: $0[1], bias: $0[2]) }
        checkGradients([random([7, 5]), random([3, 5])]) { linear($0[0], weight: $0[1], bias: nil) }
        checkGradients([random([2, 3, 5]), random([4, 5]), random([4]), random([2, 3, 4])]) {
            linear($0[0], weight: $0[1], bias: $0[2], adding: $0[3])
        }
    }

    @Test mutating func normalisationAndActivations() {
        checkGradients([random([3, 7], -2...2), random([7]), random([7])]) {
            layerNorm($0[0], weight: $0[1], bias: $0[2], epsilon: 1e-6)
        }
        checkGradients([random([11], -3...3)]) { gelu($0[0]) }
        checkGradients([random([11], -3...3)]) { relu($0[0]) }
        checkGradients([random([11], -3...3)]) { sigmoid($0[0]) }
    }

    @Test mutating func attentionCore() {
        checkGradients([random([2, 4, 12])]) { selfAttention($0[0], heads: 2).output }
    }

    @Test mutating func tokenOps() {
        checkGradients([random([2, 3, 4, 6])]) { patchify($0[0], patch: 2) }
        checkGradients([random([4]), random([2, 3, 4])]) { prependTokens($0[0], to: $0[1]) }
        checkGradients([random([1, 2, 4]), random([2, 3, 4])]) { prependTokens($0[0], to: $0[1]) }
        checkGradients([random([2, 5, 3])]) { gatherTokens($0[0], indices: [[0, 3, 3], [4, 1, 2]]) }
        checkGradients([random([2, 5, 3])]) { meanTokens($0[0]) }
        checkGradients([random([2, 5, 3]), random([2, 5, 2])]) { concatFeatures($0[0], $0[1]) }
        checkGradients([random([2, 5, 3]), random([2, 4])]) { concatFeatures($0[0], $0[1]) }
    }

    @Test mutating func convolutionalOps() {
        checkGradients([random([2, 3, 5, 4]), random([4, 3, 3, 3]), random([4])]) {
            conv2d($0[0], weight: $0[1], bias: $0[2], stride: (1, 1), padding: (1, 1))
        }
        checkGradients([random([1, 4, 6, 5]), random([6, 2, 2, 3])]) {
            conv2d($0[0], weight: $0[1], bias: nil, stride: (2, 1), padding: (0, 1), groups: 2)
        }
        let runningMean = Tensor(zeros: [3]), runningVariance = Tensor(shape: [3], values: [1, 1, 1])
        checkGradients([random([2, 3, 3, 4], -2...2), random([3]), random([3])]) {
            batchNorm2d($0[0], weight: $0[1], bias: $0[2], runningMean: runningMean, runningVariance: runningVariance,
                        momentum: 0.1, epsilon: 1e-5)
        }
        checkGradients([random([2, 3, 6, 5])]) { maxPool2d($0[0], kernel: (2, 2)) }
        checkGradients([random([1, 2, 5, 5])]) { maxPool2d($0[0], kernel: (3, 3), stride: (2, 2), padding: (1, 1)) }
        checkGradients([random([2, 3, 4, 5])]) { globalAvgPool2d($0[0]) }
    }

    @Test func batchNormMovesRunningStatistics() {
        // Channel 0 holds 1, 3, 5, 7 (mean 4, unbiased variance 20/3); channel 1 holds 0, 0, 0, 4 (mean 1, 4).
        let x = Variable(Tensor(shape: [2, 2, 1, 2], values: [1, 3, 0, 0, 5, 7, 0, 4]))
        let runningMean = Tensor(zeros: [2]), runningVariance = Tensor(shape: [2], values: [1, 1])
        let y = batchNorm2d(x, weight: Variable(Tensor(shape: [2], values: [1, 1])), bias: Variable(Tensor(zeros: [2])),
                            runningMean: runningMean, runningVariance: runningVariance, momentum: 0.5, epsilon: 0)
        #expect(maxAbsoluteError(runningMean.array, [2, 0.5]) < 1e-6)
        #expect(maxAbsoluteError(runningVariance.array, [0.5 + 10.0 / 3, 2.5]) < 1e-5)
        let spread = Float(5).squareRoot()
        #expect(maxAbsoluteError(Array(y.value.array[0..<2]), [-3 / spread, -1 / spread]) < 1e-5)
    }

    @Test mutating func losses() {
        checkGradients([random([3, 5], -2...2)]) { crossEntropy($0[0], labels: [0, 4, 2], smoothing: 0.1) }
        let target = random([2, 3])
        checkGradients([random([2, 3])]) { meanSquaredError($0[0], target: target) }
        let teacher = random([2, 4], -2...2)
        checkGradients([random([2, 4], -2...2)]) { distillation(student: $0[0], teacher: teacher) }
    }

    @Test mutating func sharedInputsAccumulate() {
        // x feeds two branches; its gradient must be the sum of both.
        checkGradients([random([2, 6]), random([6, 6]), random([6])]) { inputs in
            let hidden = gelu(linear(inputs[0], weight: inputs[1], bias: inputs[2]))
            return add(hidden, multiply(inputs[0], inputs[0]))
        }
        // The first contribution to a gradient overwrites fresh storage;
        // every rule that may do so must add when it comes second.
        checkGradients([random([2, 3, 12]), random([12, 12])]) { inputs in
            let mixed = linear(linear(inputs[0], weight: inputs[1], bias: nil), weight: inputs[1], bias: nil)
            let attended = add(selfAttention(mixed, heads: 2).output, selfAttention(mixed, heads: 2).output)
            let activated = add(add(gelu(inputs[0]), gelu(inputs[0])), mixed)
            return concatFeatures(attended, add(activated, activated))
        }
    }

    @Test func constantsRecordNothing() {
        let x = Variable(Tensor(shape: [2], values: [1, 2]))
        let y = gelu(add(x, x))
        #expect(!y.requiresGradient)
        y.backward()
        #expect(x.gradient == nil)
    }
}
