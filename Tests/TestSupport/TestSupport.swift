import Foundation
import Kernels

extension Tensor {
    /// Uniform values in `range`, reproducible from the generator.
    public static func random(_ shape: [Int], in range: ClosedRange<Float> = -1...1,
                              using generator: inout SeededGenerator) -> Tensor {
        uniform(shape, in: range, using: &generator)
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
