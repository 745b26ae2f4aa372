import Foundation
import Kernels
import TestSupport
import Testing

/// The OpenBLAS kernels `glimpse` runs on. The executable starts again with
/// OPENBLAS_CORETYPE set when OpenBLAS loaded kernels older than the CPU's
/// vectors; this test process never does, so it holds OpenBLAS's own choice.
func expectedBLASCore() -> String {
    let ownChoice = BLASCoreType.loaded
    guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil else { return ownChoice }
    return BLASCoreType.replacement(for: ownChoice, cpuFlags: BLASCoreType.cpuFlags) ?? ownChoice
}

@Suite struct BenchCommandTests {
    @Test func benchRunsOnTheKernelsThatFitTheCPU() throws {
        let result = try GlimpseBinary.run(["bench", "--arch", "deit_tiny_patch16_224", "--runs", "1", "--keep", "0.5", "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        let document = try jsonObject(result.standardOutput)
        #expect(document["blas_core"] as? String == expectedBLASCore())
        for field in ["dense_ms", "gradcam_ms", "pruned_ms"] {
            let milliseconds = try #require(document[field] as? Double, "\(field) in \(result.standardOutput)")
            #expect(milliseconds > 0, "\(field)")
        }
        #expect(document["keep"] as? Double == 0.5)
        #expect(document["gemm_kernel"] as? String == PackedWeights.Kernel.best.map { "\($0)" } ?? "blas")
    }

    @Test func glimpseGEMMChoosesTheKernelBenchReports() throws {
        let result = try GlimpseBinary.run(["bench", "--arch", "deit_tiny_patch16_224", "--runs", "1", "--json"],
                                           environment: ["GLIMPSE_GEMM": "blas"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try jsonObject(result.standardOutput)["gemm_kernel"] as? String == "blas")
    }
}
