import CPackedGEMM

/// A linear layer's weight matrix W [n, k] (PyTorch's [out, in] layout)
/// packed once for the inference GEMM kernel.
///
/// OpenBLAS packs both operands on every call. Of a linear layer's two
/// operands the weight matrix is the larger one and never changes during
/// inference, so re-packing it is a cost that does not shrink with the
/// tokens: on DeiT-Tiny it made a pruned pass, whose nine later blocks see
/// half the tokens, cost 0.68–0.71 of a dense one against 0.65 of its
/// multiply-adds. The kernel reads these panels and the activations in
/// place (AVX-512; nil on CPUs without it, where GEMM goes through BLAS).
public final class PackedWeights: @unchecked Sendable {
    public let outFeatures: Int
    public let inFeatures: Int
    /// Columns per panel; workers split the product along panels.
    let panelWidth: Int
    let storage: UnsafeMutablePointer<Float>

    /// Narrower matrices (a Scorer's one-column output) would mostly
    /// multiply the zero padding of a panel.
    public static let minimumOutFeatures = 16

    /// Whether this CPU has the kernel (AVX-512).
    public static var isAvailable: Bool { packed_gemm_panel_width() > 0 }

    /// Packs `weight`, or nil where the CPU has no kernel for packed weights
    /// or the matrix has fewer than `minimumOutFeatures` rows.
    public init?(_ weight: UnsafePointer<Float>, outFeatures n: Int, inFeatures k: Int) {
        let width = Int(packed_gemm_panel_width())
        guard width > 0, n >= Self.minimumOutFeatures, k > 0,
              n <= Int(Int32.max), k <= Int(Int32.max) else { return nil }
        outFeatures = n
        inFeatures = k
        panelWidth = width
        let count = packed_gemm_packed_count(Int32(n), Int32(k))
        storage = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: count)
        packed_gemm_pack(weight, Int32(n), Int32(k), storage)
    }

    deinit { storage.deallocate() }

    var panelCount: Int { (outFeatures + panelWidth - 1) / panelWidth }

    /// C[rows, columns of panels `panels`] (+)= A[rows, k] · Wᵀ for the
    /// given rows of A and C (row-major, leading dimensions k and n).
    func multiply(rows: Range<Int>, panels: Range<Int>, a: UnsafePointer<Float>,
                  c: UnsafeMutablePointer<Float>, accumulate: Bool) {
        let (n, k) = (outFeatures, inFeatures)
        packed_gemm_multiply(Int32(rows.count), Int32(n), Int32(k), a + rows.lowerBound * k, Int32(k), storage,
                             c + rows.lowerBound * n, Int32(n), accumulate ? 1 : 0,
                             Int32(panels.lowerBound), Int32(panels.upperBound))
    }

    /// The output columns panels `panels` cover.
    func columns(_ panels: Range<Int>) -> Range<Int> {
        panels.lowerBound * panelWidth..<min(outFeatures, panels.upperBound * panelWidth)
    }
}
