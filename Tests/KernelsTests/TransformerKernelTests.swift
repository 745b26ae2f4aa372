import Foundation
import Kernels
import TestSupport
import Testing

/// Naive references in Double for the transformer kernels.
enum Reference {
    static func layerNorm(_ x: [Float], rows: Int, features: Int, gamma: [Float], beta: [Float], epsilon: Double) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        for r in 0..<rows {
            let line = (0..<features).map { Double(x[r * features + $0]) }
            let mean = line.reduce(0, +) / Double(features)
            let variance = line.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(features)
            for f in 0..<features {
                y[r * features + f] = Float((line[f] - mean) / (variance + epsilon).squareRoot() * Double(gamma[f]) + Double(beta[f]))
            }
        }
        return y
    }

    static func softmax(_ x: [Float], rows: Int, columns: Int) -> [Float] {
        var y = [Float](repeating: 0, count: x.count)
        for r in 0..<rows {
            let line = (0..<columns).map { Double(x[r * columns + $0]) }
            let peak = line.max()!
            let exps = line.map { Foundation.exp($0 - peak) }
            let total = exps.reduce(0, +)
            for c in 0..<columns { y[r * columns + c] = Float(exps[c] / total) }
        }
        return y
    }

    static func gelu(_ x: [Float]) -> [Float] {
        x.map { v in Float(0.5 * Double(v) * (1 + Foundation.erf(Double(v) / 2.0.squareRoot()))) }
    }

    static func attention(_ qkv: [Float], batch: Int, tokens n: Int, heads: Int, headDimension d: Int) -> [Float] {
        let w = heads * d
        var out = [Float](repeating: 0, count: batch * n * w)
        for b in 0..<batch {
            for h in 0..<heads {
                func q(_ i: Int, _ j: Int) -> Double { Double(qkv[(b * n + i) * 3 * w + h * d + j]) }
                func k(_ i: Int, _ j: Int) -> Double { Double(qkv[(b * n + i) * 3 * w + w + h * d + j]) }
                func v(_ i: Int, _ j: Int) -> Double { Double(qkv[(b * n + i) * 3 * w + 2 * w + h * d + j]) }
                for i in 0..<n {
                    var logits = [Double](repeating: 0, count: n)
                    for j in 0..<n { logits[j] = (0..<d).reduce(0.0) { $0 + q(i, $1) * k(j, $1) } / Double(d).squareRoot() }
                    let peak = logits.max()!
                    let exps = logits.map { Foundation.exp($0 - peak) }
                    let total = exps.reduce(0, +)
                    for c in 0..<d {
                        out[(b * n + i) * w + h * d + c] = Float((0..<n).reduce(0.0) { $0 + exps[$1] / total * v($1, c) })
                    }
                }
            }
        }
        return out
    }
}

/// Central finite differences of a scalar function of a buffer, in Double
/// over the float kernel: d f / d x[i] for every i.
func numericalGradient(of x: Tensor, epsilon: Float = 1e-2, _ f: () -> Double) -> [Float] {
    var gradient = [Float](repeating: 0, count: x.count)
    for index in 0..<x.count {
        let saved = x[flat: index]
        x[flat: index] = saved + epsilon
        let plus = f()
        x[flat: index] = saved - epsilon
        let minus = f()
        x[flat: index] = saved
        gradient[index] = Float((plus - minus) / Double(2 * epsilon))
    }
    return gradient
}

/// Σ y ⊙ probe, the scalar whose gradient w.r.t. y is the probe.
func probeSum(_ y: Tensor, _ probe: Tensor) -> Double {
    (0..<y.count).reduce(0.0) { $0 + Double(y[flat: $1]) * Double(probe[flat: $1]) }
}

@Suite struct TransformerKernelTests {
    @Test(arguments: [(1, 1), (3, 7), (33, 192), (5, 17)])
    func layerNormMatchesReference(shape: (Int, Int)) {
        let (rows, features) = shape
        var generator = SeededGenerator(seed: UInt64(rows * 31 + features))
        let x = Tensor.random([rows, features], in: -3...3, using: &generator)
        let gamma = Tensor.random([features], using: &generator)
        let beta = Tensor.random([features], using: &generator)
        let y = Tensor(zeros: [rows, features])
        LayerNorm.forward(x.pointer, rows: rows, features: features, gamma: gamma.pointer, beta: beta.pointer,
                          epsilon: 1e-6, output: y.pointer)
        let expected = Reference.layerNorm(x.array, rows: rows, features: features, gamma: gamma.array, beta: beta.array, epsilon: 1e-6)
        #expect(maxRelativeError(y.array, expected) < 1e-5)
    }

    @Test func layerNormGradientsMatchFiniteDifferences() {
        var generator = SeededGenerator(seed: 11)
        let (rows, features) = (4, 9)
        let x = Tensor.random([rows, features], in: -2...2, using: &generator)
        let gamma = Tensor.random([features], using: &generator)
        let beta = Tensor.random([features], using: &generator)
        let probe = Tensor.random([rows, features], using: &generator)
        let y = Tensor(zeros: [rows, features])
        let mean = Tensor(zeros: [rows]), inverseStd = Tensor(zeros: [rows])
        func loss() -> Double {
            LayerNorm.forward(x.pointer, rows: rows, features: features, gamma: gamma.pointer, beta: beta.pointer,
                              epsilon: 1e-5, output: y.pointer, mean: mean.pointer, inverseStd: inverseStd.pointer)
            return probeSum(y, probe)
        }
        _ = loss()
        let dx = Tensor(zeros: [rows, features]), dGamma = Tensor(zeros: [features]), dBeta = Tensor(zeros: [features])
        LayerNorm.backward(x.pointer, outputGradient: probe.pointer, rows: rows, features: features, gamma: gamma.pointer,
                           mean: mean.pointer, inverseStd: inverseStd.pointer,
                           inputGradient: dx.pointer, gammaGradient: dGamma.pointer, betaGradient: dBeta.pointer)
        #expect(maxAbsoluteError(dx.array, numericalGradient(of: x, epsilon: 1e-3, loss)) < 2e-2)
        #expect(maxAbsoluteError(dGamma.array, numericalGradient(of: gamma, epsilon: 1e-3, loss)) < 2e-2)
        #expect(maxAbsoluteError(dBeta.array, numericalGradient(of: beta, epsilon: 1e-3, loss)) < 2e-2)
    }

    @Test func softmaxMatchesReferenceAndGradient() {
        var generator = SeededGenerator(seed: 5)
        for (rows, columns) in [(1, 1), (7, 13), (197, 197), (2, 33)] {
            let x = Tensor.random([rows, columns], in: -8...8, using: &generator)
            let y = Tensor(zeros: [rows, columns])
            Softmax.forward(x.pointer, y.pointer, rows: rows, columns: columns)
            #expect(maxRelativeError(y.array, Reference.softmax(x.array, rows: rows, columns: columns)) < 1e-5)
        }
        let x = Tensor.random([3, 11], in: -2...2, using: &generator)
        let probe = Tensor.random([3, 11], using: &generator)
        let y = Tensor(zeros: [3, 11])
        let loss = { () -> Double in
            Softmax.forward(x.pointer, y.pointer, rows: 3, columns: 11)
            return probeSum(y, probe)
        }
        _ = loss()
        let dx = Tensor(zeros: [3, 11])
        Softmax.backward(y.pointer, outputGradient: probe.pointer, inputGradient: dx.pointer, rows: 3, columns: 11)
        #expect(maxAbsoluteError(dx.array, numericalGradient(of: x, epsilon: 1e-3, loss)) < 1e-2)
    }

    @Test func vectorExpIsAccurate() {
        var worst: Float = 0
        for step in 0...20000 {
            let x = -87 + Float(step) * 175 / 20000
            let expected = Foundation.exp(Double(x))
            let error = Float(abs(Double(VectorMath.exp(x)) - expected) / expected)
            worst = max(worst, error)
        }
        #expect(worst < 5e-7)
    }

    @Test func geluMatchesErfReferenceAndGradient() {
        var generator = SeededGenerator(seed: 3)
        let x = Tensor.random([1001], in: -9...9, using: &generator)
        let y = Tensor(zeros: [1001])
        Activation.gelu(x.pointer, y.pointer, count: x.count)
        #expect(maxRelativeError(y.array, Reference.gelu(x.array)) < 1e-5)

        let small = Tensor.random([37], in: -3...3, using: &generator)
        let probe = Tensor.random([37], using: &generator)
        let out = Tensor(zeros: [37])
        let loss = { () -> Double in
            Activation.gelu(small.pointer, out.pointer, count: 37)
            return probeSum(out, probe)
        }
        let dx = Tensor(zeros: [37])
        Activation.geluBackward(small.pointer, probe.pointer, dx.pointer, count: 37)
        #expect(maxAbsoluteError(dx.array, numericalGradient(of: small, epsilon: 1e-3, loss)) < 1e-2)
        let written = Tensor(shape: [37], repeating: .nan)
        Activation.geluBackward(small.pointer, probe.pointer, written.pointer, count: 37, write: .overwrite)
        #expect(written.array == dx.array)
    }

    @Test func reluAndSigmoidGradients() {
        var generator = SeededGenerator(seed: 9)
        let x = Tensor.random([29], in: -3...3, using: &generator)
        let probe = Tensor.random([29], using: &generator)
        let y = Tensor(zeros: [29])
        let reluLoss = { () -> Double in
            Activation.relu(x.pointer, y.pointer, count: 29)
            return probeSum(y, probe)
        }
        _ = reluLoss()
        #expect(zip(y.array, x.array).allSatisfy { $0 == max($1, 0) })
        let dRelu = Tensor(zeros: [29])
        Activation.reluBackward(x.pointer, probe.pointer, dRelu.pointer, count: 29)
        #expect(maxAbsoluteError(dRelu.array, numericalGradient(of: x, epsilon: 1e-3, reluLoss)) < 1e-2)

        let sigmoidLoss = { () -> Double in
            Activation.sigmoid(x.pointer, y.pointer, count: 29)
            return probeSum(y, probe)
        }
        _ = sigmoidLoss()
        #expect(maxRelativeError(y.array, x.array.map { Float(1 / (1 + Foundation.exp(-Double($0)))) }) < 1e-6)
        let dSigmoid = Tensor(zeros: [29])
        Activation.sigmoidBackward(y.pointer, probe.pointer, dSigmoid.pointer, count: 29)
        #expect(maxAbsoluteError(dSigmoid.array, numericalGradient(of: x, epsilon: 1e-3, sigmoidLoss)) < 1e-2)
    }

    @Test(arguments: [(1, 1, 1, 1), (2, 7, 3, 4), (1, 197, 3, 64), (3, 17, 2, 8)])
    func attentionMatchesReference(shape: (Int, Int, Int, Int)) {
        let (batch, tokens, heads, headDimension) = shape
        var generator = SeededGenerator(seed: UInt64(batch * 1000 + tokens))
        let attentionShape = AttentionShape(batch: batch, tokens: tokens, heads: heads, headDimension: headDimension)
        let qkv = Tensor.random([batch, tokens, 3 * attentionShape.width], in: -2...2, using: &generator)
        let output = Tensor(zeros: [batch, tokens, attentionShape.width])
        Attention.forward(attentionShape, qkv: qkv.pointer, output: output.pointer)
        let expected = Reference.attention(qkv.array, batch: batch, tokens: tokens, heads: heads, headDimension: headDimension)
        #expect(maxRelativeError(output.array, expected) < 1e-5)
        let kept = Tensor(zeros: [batch, heads, tokens, tokens])
        let again = Tensor(zeros: [batch, tokens, attentionShape.width])
        Attention.forward(attentionShape, qkv: qkv.pointer, output: again.pointer, probabilities: kept.pointer)
        #expect(again.array == output.array)
        let rowSums = (0..<(batch * heads * tokens)).map { row in (0..<tokens).reduce(Float(0)) { $0 + kept[flat: row * tokens + $1] } }
        #expect(rowSums.allSatisfy { abs($0 - 1) < 1e-5 })
    }

    @Test func attentionGradientMatchesFiniteDifferences() {
        var generator = SeededGenerator(seed: 21)
        let shape = AttentionShape(batch: 2, tokens: 5, heads: 2, headDimension: 3)
        let qkv = Tensor.random([2, 5, 18], in: -1...1, using: &generator)
        let probe = Tensor.random([2, 5, 6], using: &generator)
        let output = Tensor(zeros: [2, 5, 6])
        let probabilities = Tensor(zeros: [2, 2, 5, 5])
        let loss = { () -> Double in
            Attention.forward(shape, qkv: qkv.pointer, output: output.pointer, probabilities: probabilities.pointer)
            return probeSum(output, probe)
        }
        _ = loss()
        let gradient = Tensor(zeros: [2, 5, 18])
        Attention.backward(shape, qkv: qkv.pointer, probabilities: probabilities.pointer,
                           outputGradient: probe.pointer, qkvGradient: gradient.pointer)
        #expect(maxAbsoluteError(gradient.array, numericalGradient(of: qkv, epsilon: 1e-3, loss)) < 1e-2)
        // Overwriting writes every element, whatever the buffer held.
        let written = Tensor(shape: [2, 5, 18], repeating: .nan)
        Attention.backward(shape, qkv: qkv.pointer, probabilities: probabilities.pointer,
                           outputGradient: probe.pointer, qkvGradient: written.pointer, write: .overwrite)
        #expect(written.array.allSatisfy { $0.isFinite })
        #expect(maxAbsoluteError(written.array, gradient.array) < 1e-6)
    }

    @Test func gatherAndScatterAreAdjoint() {
        var generator = SeededGenerator(seed: 4)
        let source = Tensor.random([6, 5], using: &generator)
        let indices = [4, 0, 4, 2]
        let gathered = Tensor(zeros: [4, 5])
        Rows.gather(source.pointer, width: 5, indices: indices, into: gathered.pointer)
        for (position, row) in indices.enumerated() {
            #expect(Array(gathered.array[(position * 5)..<(position * 5 + 5)]) == Array(source.array[(row * 5)..<(row * 5 + 5)]))
        }
        let back = Tensor(zeros: [6, 5])
        Rows.scatterAdd(gathered.pointer, width: 5, indices: indices, into: back.pointer)
        #expect(back.array[20] == 2 * source.array[20])
        #expect(back.array[5..<10].allSatisfy { $0 == 0 })
    }

    @Test func patchesRoundTripAndLayout() {
        var generator = SeededGenerator(seed: 8)
        let images = Tensor.random([2, 3, 8, 12], using: &generator)
        let patches = Tensor(zeros: [2, 6, 3 * 16])
        Patches.extract(images.pointer, batch: 2, channels: 3, height: 8, width: 12, patch: 4, into: patches.pointer)
        // Patch 4 of item 1 is grid row 1, column 1; entry (c=2, y=3, x=1).
        let expected = images[flat: ((1 * 3 + 2) * 8 + 4 + 3) * 12 + 4 + 1]
        #expect(patches[flat: (1 * 6 + 4) * 48 + 2 * 16 + 3 * 4 + 1] == expected)
        let back = Tensor(zeros: [2, 3, 8, 12])
        Patches.accumulateImages(patches.pointer, batch: 2, channels: 3, height: 8, width: 12, patch: 4, into: back.pointer)
        #expect(back.array == images.array)
    }

    @Test func crossEntropyGradientMatchesFiniteDifferences() {
        var generator = SeededGenerator(seed: 12)
        let logits = Tensor.random([3, 5], in: -2...2, using: &generator)
        let labels = [1, 4, 0]
        let gradient = Tensor(zeros: [3, 5])
        let value = Loss.softmaxCrossEntropy(logits: logits.pointer, batch: 3, classes: 5, labels: labels,
                                             smoothing: 0.1, logitGradient: gradient.pointer)
        #expect(value > 0)
        let numeric = numericalGradient(of: logits, epsilon: 1e-3) {
            Double(Loss.softmaxCrossEntropy(logits: logits.pointer, batch: 3, classes: 5, labels: labels,
                                            smoothing: 0.1, logitGradient: nil))
        }
        #expect(maxAbsoluteError(gradient.array, numeric) < 1e-3)
    }
}
