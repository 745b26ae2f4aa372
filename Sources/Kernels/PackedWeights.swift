import CPackedGEMM
import Foundation

/// A linear layer's weight matrix W [n, k] (PyTorch's [out, in] layout)
/// packed once for the inference GEMM kernel.
///
/// OpenBLAS packs both operands on every call. Of a linear layer's two
/// operands the weight matrix is the larger one and never changes during
/// inference, so re-packing it is a cost that does not shrink with the
/// tokens: on DeiT-Tiny it made a pruned pass, whose nine later blocks see
/// half the tokens, cost 0.68–0.71 of a dense one against 0.65 of its
/// multiply-adds. The kernel reads these panels and the activations in
/// place.
public final class PackedWeights: @unchecked Sendable {
    /// The kernels, by instruction set.
    public enum Kernel: CaseIterable, Sendable {
        case avx512, avx2

        var code: packed_gemm_kernel {
            switch self {
            case .avx512: PACKED_GEMM_AVX512
            case .avx2: PACKED_GEMM_AVX2
            }
        }

        public var isSupported: Bool { packed_gemm_supports(code) != 0 }

        /// The kernel packed weights are for: the widest this CPU runs, or
        /// the one `GLIMPSE_GEMM` names (`avx512`, `avx2`) if the CPU runs
        /// it; nil with `GLIMPSE_GEMM=blas` or where the CPU runs none, and
        /// then every product goes through BLAS.
        public static let best: Kernel? = chosen(by: ProcessInfo.processInfo.environment["GLIMPSE_GEMM"])

        /// The kernel a `GLIMPSE_GEMM` value picks on this CPU.
        public static func chosen(by name: String?) -> Kernel? {
            switch name {
            case "blas": nil
            case "avx2" where avx2.isSupported: .avx2
            case "avx512" where avx512.isSupported: .avx512
            default: allCases.first(where: \.isSupported)
            }
        }
    }

    public let kernel: Kernel
    public let outFeatures: Int
    public let inFeatures: Int
    /// Columns per panel; workers split the product along panels.
    let panelWidth: Int
    let storage: UnsafeMutablePointer<Float>

    /// Narrower matrices (a Scorer's one-column output) would mostly
    /// multiply the zero padding of a panel.
    public static let minimumOutFeatures = 16

    /// Packs `weight` for `kernel`, or nil where the CPU cannot run it or
    /// the matrix has fewer than `minimumOutFeatures` rows.
    public init?(_ weight: UnsafePointer<Float>, outFeatures n: Int, inFeatures k: Int, kernel: Kernel? = Kernel.best) {
        guard let kernel, kernel.isSupported, n >= Self.minimumOutFeatures, k > 0,
              n <= Int(Int32.max), k <= Int(Int32.max) else { return nil }
        self.kernel = kernel
        outFeatures = n
        inFeatures = k
        panelWidth = Int(packed_gemm_panel_width(kernel.code))
        let count = packed_gemm_packed_count(kernel.code, Int32(n), Int32(k))
        storage = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
        packed_gemm_pack(kernel.code, weight, Int32(n), Int32(k), storage)
    }

    deinit { storage.deallocate() }

    var panelCount: Int { (outFeatures + panelWidth - 1) / panelWidth }

    /// C[rows, columns of panels `panels`] (+)= A[rows, k] · Wᵀ for the
    /// given rows of A and C (row-major, leading dimensions k and n).
    func multiply(rows: Range<Int>, panels: Range<Int>, a: UnsafePointer<Float>,
                  c: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let (n, k) = (outFeatures, inFeatures)
        packed_gemm_multiply(kernel.code, Int32(rows.count), Int32(n), Int32(k), a + rows.lowerBound * k, Int32(k),
                             storage, c + rows.lowerBound * n, Int32(n), accumulate ? 1 : 0,
                             Int32(panels.lowerBound), Int32(panels.upperBound))
    }

    /// The output columns panels `panels` cover.
    func columns(_ panels: Range<Int>) -> Range<Int> {
        panels.lowerBound * panelWidth..<min(outFeatures, panels.upperBound * panelWidth)
    }
}
