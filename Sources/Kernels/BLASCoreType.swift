import CBLAS
import Foundation

/// Which of OpenBLAS's per-CPU kernel sets runs the GEMMs.
///
/// OpenBLAS picks its kernels as it loads, from a table of the CPUs it knows.
/// A CPU newer than the table (Debian 12's 0.3.21 does not know Emerald
/// Rapids, for one) gets the oldest x86-64 set, "Prescott" (SSE3): on such a
/// host DeiT-Tiny ran 2.9 times slower than with the AVX-512 set. The choice
/// can only be changed before the library loads, through OPENBLAS_CORETYPE.
public enum BLASCoreType {
    /// The kernel set OpenBLAS loaded in this process, e.g. "SkylakeX".
    public static var loaded: String { String(cString: openblas_get_corename()) }

    /// The kernel set to load instead, or nil when `loaded` already uses the
    /// widest vectors among the CPU's `flags` (as /proc/cpuinfo names them).
    public static func replacement(for loaded: String, cpuFlags flags: Set<String>) -> String? {
        let core = loaded.lowercased()
        if avx512Flags.isSubset(of: flags) {
            return avx512Cores.contains(core) ? nil : "SkylakeX"
        }
        if avx2Flags.isSubset(of: flags) {
            return avx512Cores.contains(core) || avx2Cores.contains(core) ? nil : "Haswell"
        }
        return nil
    }

    /// The replacement for this CPU, unless OPENBLAS_CORETYPE already names
    /// a kernel set (the user's choice, or an earlier replacement).
    public static var preferred: String? {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil else { return nil }
        let core = loaded
        // The widest kernels need no look at the CPU's flags.
        guard !avx512Cores.contains(core.lowercased()) else { return nil }
        return replacement(for: core, cpuFlags: cpuFlags)
    }

    /// The feature flags of the first processor in /proc/cpuinfo; empty where
    /// there is no such file.
    public static var cpuFlags: Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// What SkylakeX's kernels need (AVX-512 Foundation, Byte/Word,
    /// Doubleword/Quadword, Vector Length).
    private static let avx512Flags: Set<String> = ["avx512f", "avx512bw", "avx512dq", "avx512vl"]
    private static let avx2Flags: Set<String> = ["avx2", "fma"]
    /// Lower-cased names of OpenBLAS's kernel sets that use AVX-512.
    private static let avx512Cores: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]
    /// Lower-cased names of OpenBLAS's kernel sets that use AVX2 and FMA.
    private static let avx2Cores: Set<String> = ["haswell", "zen", "excavator"]
}
