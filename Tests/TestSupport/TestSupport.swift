import Foundation
import Kernels
import Synchronization

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

/// The transpose of a row-major [n, n] matrix.
public func transposed(_ a: [Float], size n: Int) -> [Float] {
    (0..<(n * n)).map { a[($0 % n) * n + $0 / n] }
}

/// Paths inside the repository, found from this file's location.
public enum RepositoryPaths {
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let fixtures = root.appendingPathComponent("Tests/Fixtures")
    public static let assets = root.appendingPathComponent("assets")
}

/// Runs the built `glimpse` executable.
public enum GlimpseBinary {
    /// The executable beside the test bundle (same build configuration).
    public static var path: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("glimpse").path
        if FileManager.default.isExecutableFile(atPath: beside) { return beside }
        return RepositoryPaths.root.appendingPathComponent(".build/release/glimpse").path
    }

    public struct Result {
        public let status: Int32
        public let standardOutput: String
        public let standardError: String
    }

    /// Runs with `arguments`, waiting for the exit; stdin is empty.
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Drain stderr on another thread while reading stdout here, so that a
        // full pipe can never block the child.
        let errorText = Mutex("")
        let drained = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let data = error.fileHandleForReading.readDataToEndOfFile()
            errorText.withLock { $0 = String(decoding: data, as: UTF8.self) }
            drained.signal()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
                      standardError: errorText.withLock { $0 })
    }
}

/// The random-weight timm models written by tools/fixtures/make_vit_fixtures.py.
public let vitFixtureNames = ["vit224_rgb_1000", "vit64_grey_10", "vit64_rgb_10_f16", "vit32_grey_7_bf16", "vit32_grey_5_avg",
                                    "vit32_grey_6_reg2", "vit32_grey_4_reg3_avg", "vit32_grey_5_ls", "vit32_grey_3_reg2_gap"]

/// The folder of one of `vitFixtureNames`.
public func vitFixture(_ name: String) -> String {
    RepositoryPaths.fixtures.appendingPathComponent("vit/\(name)").path
}
