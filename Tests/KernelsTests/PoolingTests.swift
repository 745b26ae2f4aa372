import Foundation
import Kernels
import TestSupport
import Testing

/// Pooling written from its definition: for each output element, the flat
/// input indices of its window (padding left out) and the mean's divisor.
struct NaivePool {
    var windows: [[Int]] = []
    var divisors: [Double] = []
    let inputCount: Int

    /// PyTorch's max/avg pool: window (oy·s − p + ky, ox·s − p + kx); the
    /// average divides by the full kernel area (count_include_pad).
    init(_ g: Pool2dGeometry) {
        inputCount = g.batch * g.channels * g.height * g.width
        for plane in 0..<g.batch * g.channels {
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    var window: [Int] = []
                    for ky in 0..<g.kernelHeight {
                        for kx in 0..<g.kernelWidth {
                            let iy = oy * g.strideY - g.paddingY + ky, ix = ox * g.strideX - g.paddingX + kx
                            if iy >= 0, iy < g.height, ix >= 0, ix < g.width { window.append((plane * g.height + iy) * g.width + ix) }
                        }
                    }
                    windows.append(window)
                    divisors.append(Double(g.kernelHeight * g.kernelWidth))
                }
            }
        }
    }

    /// PyTorch's adaptive bins floor(i·n/out) ..< ceil((i+1)·n/out); the mean is over the bin.
    init(_ g: AdaptivePool2dGeometry) {
        inputCount = g.batch * g.channels * g.height * g.width
        func bin(_ index: Int, _ size: Int, _ count: Int) -> Range<Int> {
            Int(floor(Double(index * size) / Double(count)))..<Int(ceil(Double((index + 1) * size) / Double(count)))
        }
        for plane in 0..<g.batch * g.channels {
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    let window = bin(oy, g.height, g.outHeight).flatMap { iy in
                        bin(ox, g.width, g.outWidth).map { ix in (plane * g.height + iy) * g.width + ix }
                    }
                    windows.append(window)
                    divisors.append(Double(window.count))
                }
            }
        }
    }

    func average(_ x: [Double]) -> [Double] {
        zip(windows, divisors).map { window, divisor in window.reduce(0) { $0 + x[$1] } / divisor }
    }

    func averageBackward(_ dy: [Double]) -> [Double] {
        var dx = [Double](repeating: 0, count: inputCount)
        for (output, window) in windows.enumerated() {
            for index in window { dx[index] += dy[output] / divisors[output] }
        }
        return dx
    }

    /// The first index holding the window's maximum.
    func winners(_ x: [Double]) -> [Int] {
        windows.map { window in window.reduce(window[0]) { x[$1] > x[$0] ? $1 : $0 } }
    }

    func maximum(_ x: [Double]) -> [Double] { winners(x).map { x[$0] } }

    func maximumBackward(_ x: [Double], _ dy: [Double]) -> [Double] {
        var dx = [Double](repeating: 0, count: inputCount)
        for (output, winner) in winners(x).enumerated() { dx[winner] += dy[output] }
        return dx
    }
}

/// Input values 0.01 apart in shuffled order: no two values of a window are
/// closer than the finite-difference step, so the maximum never switches.
func distinctValues(_ shape: [Int], using generator: inout SeededGenerator) -> Tensor {
    let count = shape.reduce(1, *)
    let values = (0..<count).map { Float($0 - count / 2) * 0.01 }.shuffled(using: &generator)
    return Tensor(shape: shape, values: values)
}

/// Checks a pooling kernel's forward against `naiveForward`, and its
/// backward (which must accumulate) against `naiveBackward` and against
/// finite differences of `naiveForward`.
func checkPooling(inputShape: [Int], outputShape: [Int], seed: UInt64,
                  naiveForward: ([Double]) -> [Double], naiveBackward: ([Double], [Double]) -> [Double],
                  forward: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void,
                  backward: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void,
                  sourceLocation: SourceLocation = #_sourceLocation) {
    var generator = SeededGenerator(seed: seed)
    let input = distinctValues(inputShape, using: &generator)
    let output = Tensor(uninitialized: outputShape)
    forward(input.pointer, output.pointer)
    let x = doubles(input)
    #expect(maxRelativeError(output.array, naiveForward(x).map(Float.init)) < 1e-5, sourceLocation: sourceLocation)

    let outputGradient = Tensor.random(outputShape, using: &generator)
    let prefill = Tensor.random(inputShape, using: &generator)
    let inputGradient = prefill.copy()
    withExtendedLifetime(input) { backward(input.pointer, outputGradient.pointer, inputGradient.pointer) }
    let dy = doubles(outputGradient)
    let naive = naiveBackward(x, dy)
    let numeric = centralDifferenceGradient(at: x, epsilon: 1e-3) { dot(dy, naiveForward($0)) }
    #expect(maxAbsoluteError(naive.map(Float.init), numeric.map(Float.init)) < 1e-6, sourceLocation: sourceLocation)
    expectAccumulated(inputGradient, prefill: prefill.array, gradient: naive, "vs naive", sourceLocation: sourceLocation)
    expectAccumulated(inputGradient, prefill: prefill.array, gradient: numeric, "vs differences", sourceLocation: sourceLocation)
}

struct PoolCase: Sendable, CustomTestStringConvertible {
    var batch = 2, channels = 3, height = 7, width = 5
    var kernel = (3, 3), stride: (Int, Int)? = (2, 2), padding = (1, 1)

    var geometry: Pool2dGeometry {
        Pool2dGeometry(batch: batch, channels: channels, height: height, width: width,
                       kernel: kernel, stride: stride, padding: padding)
    }

    var testDescription: String {
        "N\(batch) C\(channels) \(height)×\(width) k\(kernel) s\(stride.map { "\($0)" } ?? "=k") p\(padding)"
    }

    static let all: [PoolCase] = [
        PoolCase(),
        PoolCase(kernel: (2, 2), stride: nil, padding: (0, 0)),
        PoolCase(batch: 1, height: 9, width: 8, stride: (1, 1)),
        PoolCase(height: 6, width: 7, kernel: (3, 2), stride: (1, 2), padding: (1, 0)),
        PoolCase(batch: 1, channels: 2, height: 11, width: 9, kernel: (5, 5), stride: (2, 3), padding: (2, 2)),
    ] + {
        var generator = SeededGenerator(seed: 99)
        return (0..<4).map { _ in
            let kernel = (Int.random(in: 1...4, using: &generator), Int.random(in: 1...4, using: &generator))
            return PoolCase(batch: Int.random(in: 1...2, using: &generator), channels: Int.random(in: 1...3, using: &generator),
                            height: Int.random(in: 4...9, using: &generator), width: Int.random(in: 4...9, using: &generator),
                            kernel: kernel,
                            stride: (Int.random(in: 1...3, using: &generator), Int.random(in: 1...3, using: &generator)),
                            padding: (Int.random(in: 0...kernel.0 / 2, using: &generator),
                                      Int.random(in: 0...kernel.1 / 2, using: &generator)))
        }
    }()
}

struct AdaptiveCase: Sendable, CustomTestStringConvertible {
    var height: Int, width: Int, outHeight: Int, outWidth: Int

    var geometry: AdaptivePool2dGeometry {
        AdaptivePool2dGeometry(batch: 2, channels: 3, height: height, width: width, outHeight: outHeight, outWidth: outWidth)
    }

    var testDescription: String { "\(height)×\(width) → \(outHeight)×\(outWidth)" }

    /// Uneven and overlapping bins, identity, global, and outputs larger than the input.
    static let all = [AdaptiveCase(height: 7, width: 5, outHeight: 3, outWidth: 2),
                      AdaptiveCase(height: 5, width: 7, outHeight: 4, outWidth: 4),
                      AdaptiveCase(height: 6, width: 6, outHeight: 6, outWidth: 6),
                      AdaptiveCase(height: 7, width: 5, outHeight: 1, outWidth: 1),
                      AdaptiveCase(height: 3, width: 4, outHeight: 5, outWidth: 7)]
}

@Suite struct PoolingTests {
    @Test(arguments: PoolCase.all)
    func maxAndAveragePoolsMatchNaiveReference(_ testCase: PoolCase) {
        let g = testCase.geometry, naive = NaivePool(g)
        checkPooling(inputShape: g.inputShape, outputShape: g.outputShape, seed: 1,
                     naiveForward: naive.maximum, naiveBackward: naive.maximumBackward,
                     forward: { MaxPool2d.forward(g, input: $0, output: $1) },
                     backward: { MaxPool2d.backward(g, input: $0, outputGradient: $1, inputGradient: $2) })
        checkPooling(inputShape: g.inputShape, outputShape: g.outputShape, seed: 2,
                     naiveForward: naive.average, naiveBackward: { naive.averageBackward($1) },
                     forward: { AvgPool2d.forward(g, input: $0, output: $1) },
                     backward: { AvgPool2d.backward(g, outputGradient: $1, inputGradient: $2) })
    }

    @Test(arguments: AdaptiveCase.all)
    func adaptivePoolsMatchNaiveReference(_ testCase: AdaptiveCase) {
        let g = testCase.geometry, naive = NaivePool(g)
        checkPooling(inputShape: g.inputShape, outputShape: g.outputShape, seed: 3,
                     naiveForward: naive.average, naiveBackward: { naive.averageBackward($1) },
                     forward: { AdaptiveAvgPool2d.forward(g, input: $0, output: $1) },
                     backward: { AdaptiveAvgPool2d.backward(g, outputGradient: $1, inputGradient: $2) })
        checkPooling(inputShape: g.inputShape, outputShape: g.outputShape, seed: 4,
                     naiveForward: naive.maximum, naiveBackward: naive.maximumBackward,
                     forward: { AdaptiveMaxPool2d.forward(g, input: $0, output: $1) },
                     backward: { AdaptiveMaxPool2d.backward(g, input: $0, outputGradient: $1, inputGradient: $2) })
    }

    @Test func globalAveragePoolMatchesNaiveReference() {
        let g = AdaptivePool2dGeometry(batch: 2, channels: 3, height: 7, width: 5, outHeight: 1, outWidth: 1)
        let naive = NaivePool(g), planes = 6, planeSize = 35
        checkPooling(inputShape: g.inputShape, outputShape: [2, 3], seed: 5,
                     naiveForward: naive.average, naiveBackward: { naive.averageBackward($1) },
                     forward: { GlobalAvgPool2d.forward(planes: planes, planeSize: planeSize, input: $0, output: $1) },
                     backward: { GlobalAvgPool2d.backward(planes: planes, planeSize: planeSize, outputGradient: $1, inputGradient: $2) })
    }

    @Test func tensorConveniencesUseTheirGeometry() {
        var generator = SeededGenerator(seed: 6)
        let input = Tensor.random([1, 2, 7, 5], using: &generator)
        #expect(MaxPool2d.forward(input, kernel: (3, 3), stride: (2, 2), padding: (1, 1)).shape == [1, 2, 4, 3])
        #expect(AvgPool2d.forward(input, kernel: (2, 2)).shape == [1, 2, 3, 2])
        #expect(GlobalAvgPool2d.forward(input).shape == [1, 2])
    }

    /// Like PyTorch, the first of equal maxima takes the gradient and NaN wins the window.
    @Test func maxPoolTiesAndNaNFollowPyTorch() {
        let g = Pool2dGeometry(batch: 1, channels: 1, height: 2, width: 2, kernel: (2, 2))
        let tied = Tensor(shape: [1, 1, 2, 2], values: [1, 3, 3, 2])
        let outputGradient = Tensor(shape: [1], repeating: 1), inputGradient = Tensor(zeros: [1, 1, 2, 2])
        withExtendedLifetime((tied, outputGradient)) {
            MaxPool2d.backward(g, input: tied.pointer, outputGradient: outputGradient.pointer,
                               inputGradient: inputGradient.pointer)
        }
        #expect(inputGradient.array == [0, 1, 0, 0])
        let withNaN = Tensor(shape: [1, 1, 2, 2], values: [1, .nan, 3, 2])
        #expect(MaxPool2d.forward(withNaN, kernel: (2, 2))[flat: 0].isNaN)
    }
}
