import Kernels
import Testing

@Suite struct BLASCoreTypeTests {
    static let avx512: Set<String> = ["sse3", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512_bf16"]
    static let avx2: Set<String> = ["sse3", "avx", "avx2", "fma"]

    /// The fallback for CPUs newer than OpenBLAS's table gets the widest set.
    @Test func fallbackKernelsAreReplaced() {
        #expect(BLASCoreType.replacement(for: "Prescott", cpuFlags: Self.avx512) == "SkylakeX")
        #expect(BLASCoreType.replacement(for: "Haswell", cpuFlags: Self.avx512) == "SkylakeX")
        #expect(BLASCoreType.replacement(for: "Prescott", cpuFlags: Self.avx2) == "Haswell")
        #expect(BLASCoreType.replacement(for: "Sandybridge", cpuFlags: Self.avx2) == "Haswell")
    }

    /// OpenBLAS's own choice stays whenever it already uses the CPU's widest
    /// vectors, and on CPUs without AVX2 nothing better exists.
    @Test func fittingKernelsStay() {
        for core in ["SkylakeX", "Cooperlake", "SapphireRapids"] {
            #expect(BLASCoreType.replacement(for: core, cpuFlags: Self.avx512) == nil)
        }
        for core in ["Haswell", "Zen"] {
            #expect(BLASCoreType.replacement(for: core, cpuFlags: Self.avx2) == nil)
        }
        #expect(BLASCoreType.replacement(for: "Prescott", cpuFlags: ["sse3", "avx"]) == nil)
        #expect(BLASCoreType.replacement(for: "Prescott", cpuFlags: []) == nil)
    }
}
