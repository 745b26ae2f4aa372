import Kernels
import TestSupport
import Testing

/// Row-major [n, n] product A·B, the naive way.
private func product(_ a: [Float], _ b: [Float], size n: Int) -> [Float] {
    referenceMultiply(a, b, m: n, n: n, k: n, transposeA: false, transposeB: false)
}

@Suite struct SingularValuesTests {
    @Test(arguments: [1, 5, 64])
    func decompositionRebuildsTheMatrixFromOrthogonalFactors(size n: Int) throws {
        var generator = SeededGenerator(seed: UInt64(n))
        let matrix = Tensor.random([n * n], using: &generator).array
        let (u, s, vt) = try #require(SingularValues.decompose(matrix, size: n))
        #expect(zip(s, s.dropFirst()).allSatisfy { $0 >= $1 } && s.last! >= 0)
        var scaled = u
        for row in 0..<n { for column in 0..<n { scaled[row * n + column] *= s[column] } }
        #expect(maxAbsoluteError(product(scaled, vt, size: n), matrix) < 1e-4)
        let identity = (0..<(n * n)).map { Float($0 % (n + 1) == 0 ? 1 : 0) }
        #expect(maxAbsoluteError(product(transposed(u, size: n), u, size: n), identity) < 1e-4)
        #expect(maxAbsoluteError(product(vt, transposed(vt, size: n), size: n), identity) < 1e-4)
    }

    @Test func balancedFactorsOfARankOneMatrixAreExactAndEven() throws {
        // A = x·yᵀ with |x| = 3, |y| = 2: one singular value 6, split as √6 on each side.
        let x: [Float] = [1, 2, 2], y: [Float] = [0, 2, 0]
        let matrix = x.flatMap { xi in y.map { xi * $0 } }
        let (left, right) = try #require(SingularValues.balancedFactors(matrix, size: 3, rank: 1))
        let rebuilt = left.flatMap { l in right.map { l * $0 } }
        #expect(maxAbsoluteError(rebuilt, matrix) < 1e-5)
        #expect(abs(left.map { $0 * $0 }.reduce(0, +) - 6) < 1e-4)
        #expect(abs(right.map { $0 * $0 }.reduce(0, +) - 6) < 1e-4)
    }

    @Test func fullRankFactorsRebuildTheMatrix() throws {
        var generator = SeededGenerator(seed: 9)
        let matrix = Tensor.random([36], using: &generator).array
        let (left, right) = try #require(SingularValues.balancedFactors(matrix, size: 6, rank: 6))
        #expect(maxAbsoluteError(product(transposed(left, size: 6), right, size: 6), matrix) < 1e-4)
    }
}
