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
        multiply(m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA, b: b, ldb: ldb, transposeB: transposeB,
                 c: c, ldc: ldc, alpha: alpha, beta: beta, preparing: nil)
    }

    /// `multiply`, with `prepare(rows, columns)` run on each worker's block
    /// of C just before that worker multiplies into it, so that the block
    /// is filled where it is about to be used, in parallel and in cache.
    private static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        alpha: Float, beta: Float, preparing prepare: ((Range<Int>, Range<Int>) -> Void)?
    ) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            prepare?(0..<m, 0..<n)
            scale(c, rows: m, columns: n, ld: ldc, by: beta)
            return
        }
        let work = m * n * k
        if work < parallelThreshold || Parallel.threads == 1 {
            prepare?(0..<m, 0..<n)
            call(m: m, n: n, k: k, a: a, lda: lda, transposeA: transposeA,
                 b: b, ldb: ldb, transposeB: transposeB, c: c, ldc: ldc, alpha: alpha, beta: beta)
            return
        }
        // Split the larger output dimension; rows of C map to rows of op(A),
        // columns of C to columns of op(B).
        if m >= n {
            Parallel.forRanges(m, minimumChunk: 16) { rows in
                prepare?(rows, 0..<n)
                let aStart = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
                call(m: rows.count, n: n, k: k, a: aStart, lda: lda, transposeA: transposeA,
                     b: b, ldb: ldb, transposeB: transposeB,
                     c: c + rows.lowerBound * ldc, ldc: ldc, alpha: alpha, beta: beta)
            }
        } else {
            Parallel.forRanges(n, minimumChunk: 16) { columns in
                prepare?(0..<m, columns)
                let bStart = transposeB ? b + columns.lowerBound * ldb : b + columns.lowerBound
                call(m: m, n: columns.count, k: k, a: a, lda: lda, transposeA: transposeA,
                     b: bStart, ldb: ldb, transposeB: transposeB,
                     c: c + columns.lowerBound, ldc: ldc, alpha: alpha, beta: beta)
            }
        }
    }

    /// C[m×n] = A[m×k] · B[n×k]ᵀ (+ bias per column) (+ residual R[m×n]):
    /// the linear layer with PyTorch's [out, in] weight layout, and the
    /// residual connection around it. Bias and residual seed C inside each
    /// worker's part of the product rather than in a pass of their own.
    /// With `packed` (B packed once) the product skips BLAS and its packing.
    public static func linear(
        input: UnsafePointer<Float>, rows m: Int, inFeatures k: Int,
        weight: UnsafePointer<Float>, outFeatures n: Int, bias: UnsafePointer<Float>?,
        residual: UnsafePointer<Float>? = nil, packed: PackedWeights? = nil, output: UnsafeMutablePointer<Float>
    ) {
        let seed: ((Range<Int>, Range<Int>) -> Void)?
        switch (bias, residual) {
        case (nil, nil):
            seed = nil
        case (let bias?, nil):
            seed = { rows, columns in
                for row in rows {
                    (output + row * n + columns.lowerBound).update(from: bias + columns.lowerBound, count: columns.count)
                }
            }
        case (nil, let residual?):
            seed = { rows, columns in
                for row in rows {
                    let offset = row * n + columns.lowerBound
                    (output + offset).update(from: residual + offset, count: columns.count)
                }
            }
        case (let bias?, let residual?):
            seed = { rows, columns in
                for row in rows {
                    let offset = row * n + columns.lowerBound
                    VectorMath.map(columns.count, residual + offset, bias + columns.lowerBound, output + offset) { $0 + $1 }
                }
            }
        }
        if let packed {
            precondition(packed.outFeatures == n && packed.inFeatures == k, "packed weights are \(packed.outFeatures)×\(packed.inFeatures), not \(n)×\(k)")
            multiply(rows: m, input: input, packed: packed, output: output, preparing: seed)
            return
        }
        multiply(m: m, n: n, k: k, a: input, lda: k, transposeA: false, b: weight, ldb: k, transposeB: true,
                 c: output, ldc: n, alpha: 1, beta: seed == nil ? 0 : 1, preparing: seed)
    }

    /// C[m×n] (+)= A[m×k] · Wᵀ with W packed, split like `multiply`: along
    /// whole panels of columns when there are enough for every worker,
    /// else along rows.
    private static func multiply(
        rows m: Int, input: UnsafePointer<Float>, packed: PackedWeights, output: UnsafeMutablePointer<Float>,
        preparing prepare: ((Range<Int>, Range<Int>) -> Void)?
    ) {
        guard m > 0 else { return }
        let accumulate = prepare != nil
        let panels = packed.panelCount
        let run = { (rows: Range<Int>, panelRange: Range<Int>) in
            prepare?(rows, packed.columns(panelRange))
            packed.multiply(rows: rows, panels: panelRange, a: input, c: output, accumulate: accumulate)
        }
        if m * packed.outFeatures * packed.inFeatures < parallelThreshold || Parallel.threads == 1 {
            run(0..<m, 0..<panels)
        } else if panels >= Parallel.threads {
            Parallel.forRanges(panels) { panelRange in run(0..<m, panelRange) }
        } else {
            Parallel.forRanges(m, minimumChunk: 16) { rows in run(rows, 0..<panels) }
        }
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
