import Foundation
import Kernels
import TestSupport
import Testing

@Suite struct BenchCommandTests {
    /// The executable starts again with OPENBLAS_CORETYPE set when OpenBLAS
    /// loaded kernels older than the CPU's vectors; this test process never
    /// does, so it holds OpenBLAS's own choice to compare with.
    @Test func benchRunsOnTheKernelsThatFitTheCPU() throws {
        let result = try GlimpseBinary.run(["bench", "--arch", "deit_tiny_patch16_224", "--runs", "1", "--keep", "0.5", "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let document = try jsonObject(result.standardOutput)
        let ownChoice = BLASCoreType.loaded
        let expected = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil
            ? BLASCoreType.replacement(for: ownChoice, cpuFlags: BLASCoreType.cpuFlags) ?? ownChoice
            : ownChoice
        #expect(document["blas_core"] as? String == expected)
        for field in ["dense_ms", "gradcam_ms", "pruned_ms"] {
            let milliseconds = try #require(document[field] as? Double, "\(field) in \(result.standardOutput)")
            #expect(milliseconds > 0, "\(field)")
        }
        #expect(document["keep"] as? Double == 0.5)
    }
}
