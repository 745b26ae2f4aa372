import Kernels
import TestSupport
import Testing

/// Naive triple loop used as the reference for the BLAS-backed GEMM.
func referenceMultiply(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int,
                       transposeA: Bool, transposeB: Bool) -> [Float] {
    var c = [Float](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            var sum: Double = 0
            for p in 0..<k {
                let av = transposeA ? a[p * m + i] : a[i * k + p]
                let bv = transposeB ? b[j * k + p] : b[p * n + j]
                sum += Double(av) * Double(bv)
            }
            c[i * n + j] = Float(sum)
        }
    }
    return c
}

@Suite struct GEMMTests {
    @Test(arguments: [(1, 1, 1), (3, 5, 7), (197, 33, 64), (17, 301, 129), (256, 96, 48)])
    func matchesNaiveReference(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var generator = SeededGenerator(seed: UInt64(m * 1000 + n * 10 + k))
        for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = Tensor.random([m * k], using: &generator)
            let b = Tensor.random([k * n], using: &generator)
            let c = Tensor(zeros: [m, n])
            GEMM.multiply(m: m, n: n, k: k,
                          a: a.pointer, lda: transposeA ? m : k, transposeA: transposeA,
                          b: b.pointer, ldb: transposeB ? k : n, transposeB: transposeB,
                          c: c.pointer, ldc: n)
            let expected = referenceMultiply(a.array, b.array, m: m, n: n, k: k,
                                             transposeA: transposeA, transposeB: transposeB)
            #expect(maxRelativeError(c.array, expected) < 1e-5, "\(shape) tA=\(transposeA) tB=\(transposeB)")
        }
    }

    @Test func linearAddsBiasPerOutputFeature() {
        var generator = SeededGenerator(seed: 7)
        let (rows, inFeatures, outFeatures) = (97, 40, 130)
        let input = Tensor.random([rows, inFeatures], using: &generator)
        let weight = Tensor.random([outFeatures, inFeatures], using: &generator)
        let bias = Tensor.random([outFeatures], using: &generator)
        let output = Tensor(uninitialized: [rows, outFeatures])
        GEMM.linear(input: input.pointer, rows: rows, inFeatures: inFeatures,
                    weight: weight.pointer, outFeatures: outFeatures, bias: bias.pointer, output: output.pointer)
        var expected = referenceMultiply(input.array, weight.array, m: rows, n: outFeatures, k: inFeatures,
                                         transposeA: false, transposeB: true)
        for row in 0..<rows { for column in 0..<outFeatures { expected[row * outFeatures + column] += bias[flat: column] } }
        #expect(maxRelativeError(output.array, expected) < 1e-5)
    }

    /// Every combination of bias and residual, through BLAS and through
    /// weights packed once for every kernel this CPU runs; the shapes cover
    /// row counts that share out into blocks of several heights (1 to 12
    /// rows), partial panels (45, 70 columns), a split along rows (16
    /// columns, one panel, 300 rows) and products small enough to stay on
    /// one thread.
    @Test(arguments: [(1, 16, 3), (13, 45, 7), (99, 192, 64), (197, 70, 33), (300, 16, 64), (29, 130, 128)])
    func linearMatchesNaiveReference(shape: (Int, Int, Int)) throws {
        let (rows, outFeatures, inFeatures) = shape
        var generator = SeededGenerator(seed: UInt64(rows * 1000 + outFeatures))
        let input = Tensor.random([rows, inFeatures], using: &generator)
        let weight = Tensor.random([outFeatures, inFeatures], using: &generator)
        let bias = Tensor.random([outFeatures], using: &generator)
        let residual = Tensor.random([rows, outFeatures], using: &generator)
        let product = referenceMultiply(input.array, weight.array, m: rows, n: outFeatures, k: inFeatures,
                                        transposeA: false, transposeB: true)
        let packings = PackedWeights.Kernel.allCases.filter(\.isSupported).map {
            PackedWeights(weight.pointer, outFeatures: outFeatures, inFeatures: inFeatures, kernel: $0)
        }
        #expect(packings.allSatisfy { $0 != nil })
        for withBias in [false, true] {
            for withResidual in [false, true] {
                for packing in [nil] + packings {
                    let output = Tensor(shape: [rows, outFeatures], repeating: .nan)
                    GEMM.linear(input: input.pointer, rows: rows, inFeatures: inFeatures, weight: weight.pointer,
                                outFeatures: outFeatures, bias: withBias ? bias.pointer : nil,
                                residual: withResidual ? residual.pointer : nil, packed: packing, output: output.pointer)
                    var expected = product
                    for row in 0..<rows {
                        for column in 0..<outFeatures {
                            if withBias { expected[row * outFeatures + column] += bias[flat: column] }
                            if withResidual { expected[row * outFeatures + column] += residual[flat: row * outFeatures + column] }
                        }
                    }
                    #expect(maxRelativeError(output.array, expected) < 1e-5,
                            "\(shape) bias \(withBias) residual \(withResidual) kernel \(packing.map { "\($0.kernel)" } ?? "BLAS")")
                }
            }
        }
    }

    @Test func glimpseGEMMPicksTheKernel() {
        let widest = PackedWeights.Kernel.allCases.first(where: \.isSupported)
        #expect(PackedWeights.Kernel.chosen(by: nil) == widest)
        #expect(PackedWeights.Kernel.chosen(by: "blas") == nil)
        #expect(PackedWeights.Kernel.chosen(by: "avx2") == (PackedWeights.Kernel.avx2.isSupported ? .avx2 : widest))
        #expect(PackedWeights.Kernel.chosen(by: "avx512") == (PackedWeights.Kernel.avx512.isSupported ? .avx512 : widest))
        #expect(PackedWeights.Kernel.chosen(by: "sse") == widest)
    }

    @Test func narrowMatricesAreNotPacked() throws {
        let weight = Tensor(shape: [PackedWeights.minimumOutFeatures - 1, 8], repeating: 1)
        for kernel in PackedWeights.Kernel.allCases {
            #expect(PackedWeights(weight.pointer, outFeatures: weight.shape[0], inFeatures: 8, kernel: kernel) == nil)
        }
    }

    @Test func parallelForRangesCoversEveryIndexOnce() {
        let counts = Tensor(zeros: [1000])
        Parallel.forRanges(1000) { range in
            for index in range { counts[flat: index] += 1 }
        }
        #expect(counts.array.allSatisfy { $0 == 1 })
    }
}
