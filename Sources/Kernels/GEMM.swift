import CBLAS

/// Single-precision matrix multiply through CBLAS (OpenBLAS), split across
/// the engine's workers.
///
/// Computes C = alpha · op(A) · op(B) + beta · C with row-major operands,
/// where op(A) is m×k and op(B) is k×n. Leading dimensions are the row
/// lengths of the stored matrices.
public enum GEMM {
    /// Below this many multiply-adds the split costs more than it saves.
    static let parallelThreshold = 1 << 18

    public static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transposeA: Bool = false,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool = false,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float = 1, beta: Float = 0
    ) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            scale(c, rows: m, columns: n, ld: ldc, by: beta)
            return
        }
        let work = m * n * k
        if work < parallelThreshold || Parallel.threads == 1 {
            call(m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA,
                 b: b, ldb: ldb, transposeB: transposeB, c: c, ldc: ldc, alpha: alpha, beta: beta)
            return
        }
        // Split the larger output dimension; rows of C map to rows of op(A),
        // columns of C to columns of op(B).
        if m >= n {
            Parallel.forRanges(m, minimumChunk: 16) { rows in
                let aStart = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
                call(m: rows.count, n: n, k: k, a: aStart, lda: lda, transposeA: transposeA,
                     b: b, ldb: ldb, transposeB: transposeB,
                     c: c + rows.lowerBound * ldc, ldc: ldc, alpha: alpha, beta: beta)
            }
        } else {
            Parallel.forRanges(n, minimumChunk: 16) { columns in
                let bStart = transposeB ? b + columns.lowerBound * ldb : b + columns.lowerBound
                call(m: m, n: columns.count, k: k, a: a, lda: lda, transposeA: transposeA,
                     b: bStart, ldb: ldb, transposeB: transposeB,
                     c: c + columns.lowerBound, ldc: ldc, alpha: alpha, beta: beta)
            }
        }
    }

    /// C[m×n] = A[m×k] · B[n×k]ᵀ (+ bias per column): the linear layer with
    /// PyTorch's [out, in] weight layout.
    public static func linear(
        input: UnsafePointer<Float>, rows m: Int, inFeatures k: Int,
        weight: UnsafePointer<Float>, outFeatures n: Int, bias: UnsafePointer<Float>?,
        output: UnsafeMutablePointer<Float>
    ) {
        if let bias {
            for row in 0..<m { (output + row * n).update(from: bias, count: n) }
        }
        multiply(m: m, n: n, k: k, a: input, lda: k, b: weight, ldb: k, transposeB: true,
                 c: output, ldc: n, beta: bias == nil ? 0 : 1)
    }

    private static func call(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float
    ) {
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha,
            a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
    }

    private static func scale(_ c: UnsafeMutablePointer<Float>, rows: Int, columns: Int, ld: Int, by beta: Float) {
        for row in 0..<rows {
            let line = c + row * ld
            if beta == 0 {
                line.update(repeating: 0, count: columns)
            } else {
                for column in 0..<columns { line[column] *= beta }
            }
        }
    }
}
