/// Geometry of multi-head self-attention over a packed qkv buffer.
public struct AttentionShape: Sendable, Equatable {
    public let batch: Int
    public let tokens: Int
    public let heads: Int
    public let headDimension: Int

    public init(batch: Int, tokens: Int, heads: Int, headDimension: Int) {
        self.batch = batch
        self.tokens = tokens
        self.heads = heads
        self.headDimension = headDimension
    }

    /// Model width: heads × head dimension.
    public var width: Int { heads * headDimension }
    /// 1/√d, the logit scale.
    public var scale: Float { 1 / Float(headDimension).squareRoot() }
}

/// softmax(Q Kᵀ/√d) V per head, with timm's qkv layout: each token's row of
/// the qkv buffer holds all q, then all k, then all v, head-major inside
/// each, so head h of q is columns h·d ..< (h+1)·d.
public enum Attention {
    /// Writes the heads' outputs side by side into `output` [B, N, W]. When
    /// `probabilities` [B, H, N, N] is given the attention weights are kept
    /// there (for backward, rollout and CLS attention).
    public static func forward(
        _ shape: AttentionShape, qkv: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
        probabilities: UnsafeMutablePointer<Float>? = nil
    ) {
        let n = shape.tokens, d = shape.headDimension, w = shape.width
        // Split query rows too, so a few heads still keep every worker busy;
        // chunks of 16 rows or more keep the GEMMs efficient, and up to twice
        // the worker count of them lets the tasks split evenly (a pruned
        // DeiT-Tiny pass has 99 tokens and 3 heads: 4 chunks make 12 tasks,
        // where 3 made 9, which two workers share unevenly).
        let rowChunks = max(1, min(n / 16, 2 * Parallel.threads))
        let tasks = shape.batch * shape.heads * rowChunks
        Parallel.forRanges(tasks) { range in
            let scratch = probabilities == nil ? UnsafeMutablePointer<Float>.allocate(capacity: n * n) : nil
            defer { scratch?.deallocate() }
            for task in range {
                let chunk = task % rowChunks
                let head = (task / rowChunks) % shape.heads
                let item = task / (rowChunks * shape.heads)
                let first = n * chunk / rowChunks
                let rows = n * (chunk + 1) / rowChunks - first
                let base = qkv + item * n * 3 * w
                let query = base + first * 3 * w + head * d
                let key = base + w + head * d
                let value = base + 2 * w + head * d
                let weights = probabilities.map { $0 + ((item * shape.heads + head) * n + first) * n } ?? scratch!
                GEMM.multiply(m: rows, n: n, k: d, a: query, lda: 3 * w, b: key, ldb: 3 * w, transposeB: true,
                              c: weights, ldc: n, alpha: shape.scale)
                for row in 0..<rows {
                    Softmax.normaliseRow(weights + row * n, weights + row * n, columns: n)
                }
                GEMM.multiply(m: rows, n: d, k: n, a: weights, lda: n, b: value, ldb: 3 * w,
                              c: output + (item * n + first) * w + head * d, ldc: w)
            }
        }
    }

    /// Accumulates (or with `.overwrite` writes) the gradient of the packed
    /// qkv buffer from the output gradient [B, N, W] and the probabilities
    /// saved by `forward`. Every element is written once per call, so
    /// overwriting needs no zeroed buffer.
    public static func backward(
        _ shape: AttentionShape, qkv: UnsafePointer<Float>, probabilities: UnsafePointer<Float>,
        outputGradient: UnsafePointer<Float>, qkvGradient: UnsafeMutablePointer<Float>, write: GradientWrite = .accumulate
    ) {
        let n = shape.tokens, d = shape.headDimension, w = shape.width
        Parallel.forRanges(shape.batch * shape.heads) { range in
            let weightGradient = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
            let logitGradient = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
            defer {
                weightGradient.deallocate()
                logitGradient.deallocate()
            }
            for task in range {
                let head = task % shape.heads
                let item = task / shape.heads
                let base = qkv + item * n * 3 * w
                let gradientBase = qkvGradient + item * n * 3 * w
                let weights = probabilities + task * n * n
                let upstream = outputGradient + item * n * w + head * d
                // dV += Pᵀ dO
                GEMM.multiply(m: n, n: d, k: n, a: weights, lda: n, transposeA: true, b: upstream, ldb: w,
                              c: gradientBase + 2 * w + head * d, ldc: 3 * w, beta: write.beta)
                // dP = dO Vᵀ, then dS = P ⊙ (dP − rowsum(P ⊙ dP))
                GEMM.multiply(m: n, n: n, k: d, a: upstream, lda: w, b: base + 2 * w + head * d, ldb: 3 * w,
                              transposeB: true, c: weightGradient, ldc: n)
                for row in 0..<n {
                    Softmax.backwardRow(weights + row * n, weightGradient + row * n, logitGradient + row * n, columns: n,
                                        write: .overwrite)
                }
                // dQ += scale · dS K, dK += scale · dSᵀ Q
                GEMM.multiply(m: n, n: d, k: n, a: logitGradient, lda: n, b: base + w + head * d, ldb: 3 * w,
                              c: gradientBase + head * d, ldc: 3 * w, alpha: shape.scale, beta: write.beta)
                GEMM.multiply(m: n, n: d, k: n, a: logitGradient, lda: n, transposeA: true, b: base + head * d, ldb: 3 * w,
                              c: gradientBase + w + head * d, ldc: 3 * w, alpha: shape.scale, beta: write.beta)
            }
        }
    }
}
