import Foundation
import Kernels

/// A small deterministic generator (SplitMix64) so tests are reproducible.
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Tensor {
    /// Uniform values in `range`, reproducible from the generator.
    public static func random(_ shape: [Int], in range: ClosedRange<Float> = -1...1,
                              using generator: inout SeededGenerator) -> Tensor {
        let tensor = Tensor(uninitialized: shape)
        for index in 0..<tensor.count { tensor[flat: index] = Float.random(in: range, using: &generator) }
        return tensor
    }
}

/// Largest element-wise difference relative to max(1, |expected|).
public func maxRelativeError(_ actual: [Float], _ expected: [Float]) -> Float {
    precondition(actual.count == expected.count, "count \(actual.count) vs \(expected.count)")
    var worst: Float = 0
    for (a, e) in zip(actual, expected) {
        let error = abs(a - e) / max(1, abs(e))
        if !(error <= worst) { worst = error.isNaN ? .infinity : max(worst, error) }
    }
    return worst
}

public func maxAbsoluteError(_ actual: [Float], _ expected: [Float]) -> Float {
    precondition(actual.count == expected.count, "count \(actual.count) vs \(expected.count)")
    var worst: Float = 0
    for (a, e) in zip(actual, expected) {
        let error = abs(a - e)
        if !(error <= worst) { worst = error.isNaN ? .infinity : max(worst, error) }
    }
    return worst
}

/// Paths inside the repository, found from this file's location.
public enum RepositoryPaths {
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let fixtures = root.appendingPathComponent("Tests/Fixtures")
    public static let assets = root.appendingPathComponent("assets")
}
