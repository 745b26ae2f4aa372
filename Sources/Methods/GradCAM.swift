import Kernels

/// Grad-CAM per patch token, the pytorch-grad-cam ViT recipe (SPEC §1.1):
/// A = output of the last block's norm1 without the prefix rows (CLS and
/// any registers), G = d logit/dA,
/// channel weights w = mean of G over tokens, cam = ReLU(A·w), then
/// min-max normalised to [0, 1].
public enum GradCAM {
    /// activations and gradients [B, K+P, D], K prefix tokens → one map of
    /// P values per item.
    public static func maps(activations: Tensor, gradients: Tensor, prefixTokens: Int) -> [[Float]] {
        let (batch, tokens, channels) = (activations.shape[0], activations.shape[1], activations.shape[2])
        let patches = tokens - prefixTokens
        let weights = Tensor(uninitialized: [channels])
        let cam = Tensor(uninitialized: [patches])
        return (0..<batch).map { item in
            let offset = (item * tokens + prefixTokens) * channels
            Rows.mean(gradients.pointer + offset, batch: 1, rows: patches, width: channels, into: weights.pointer)
            Maps.weightedChannelSum(activations.pointer + offset, tokens: patches, channels: channels,
                                    weights: weights.pointer, into: cam.pointer)
            Maps.normaliseToUnitRange(cam.pointer, count: patches)
            return cam.array
        }
    }
}

/// Attention rollout (Abnar & Zuidema): the product over blocks of the
/// head-averaged attention mixed half-and-half with the identity (for the
/// residual path), read at the CLS row over the patch columns; min-max
/// normalised. A model without a CLS token reads the mean of its patch
/// tokens, so its rollout and its class attention read the mean of the
/// patch rows instead.
public enum Rollout {
    /// attention: per block [B, H, N, N], N = K prefix tokens + P patches,
    /// CLS first among the prefix if `classToken`; returns, for `item`, P values.
    public static func map(attention: [Tensor], prefixTokens: Int, classToken: Bool, item: Int = 0) -> [Float] {
        guard let first = attention.first else { return [] }
        let (heads, tokens) = (first.shape[1], first.shape[2])
        let size = tokens * tokens
        var rollout = Tensor(zeros: [tokens, tokens])
        for index in 0..<tokens { rollout[flat: index * tokens + index] = 1 }
        let mixed = Tensor(uninitialized: [tokens, tokens])
        for block in attention {
            Maps.meanOverHeads(block.pointer + item * heads * size, heads: heads, tokens: tokens, into: mixed.pointer)
            Maps.mixWithIdentity(mixed.pointer, tokens: tokens)
            let product = Tensor(uninitialized: [tokens, tokens])
            GEMM.multiply(m: tokens, n: tokens, k: tokens, a: mixed.pointer, lda: tokens, b: rollout.pointer, ldb: tokens,
                          c: product.pointer, ldc: tokens)
            rollout = product
        }
        return readOut(rollout.pointer, matrices: 1, tokens: tokens, prefixTokens: prefixTokens, classToken: classToken)
    }

    /// CLS attention of one block averaged over heads, for `item`:
    /// EViT's token importance over the patches after K prefix tokens.
    /// Min-max normalised.
    public static func classAttention(_ block: Tensor, prefixTokens: Int, classToken: Bool, item: Int = 0) -> [Float] {
        let (heads, tokens) = (block.shape[1], block.shape[2])
        return readOut(block.pointer + item * heads * tokens * tokens, matrices: heads, tokens: tokens,
                       prefixTokens: prefixTokens, classToken: classToken)
    }

    /// The patch columns of the CLS row, or without a CLS token of the mean
    /// of the patch rows, averaged over `matrices` consecutive [N, N]
    /// matrices (a block's heads); min-max normalised.
    private static func readOut(_ start: UnsafePointer<Float>, matrices count: Int, tokens: Int, prefixTokens: Int,
                                classToken: Bool) -> [Float] {
        let patches = tokens - prefixTokens
        let values = Tensor(zeros: [patches])
        let rows = classToken ? 0..<1 : prefixTokens..<tokens
        let weight = 1 / Float(count * rows.count)
        for matrix in 0..<count {
            for row in rows {
                Elementwise.accumulate(start + (matrix * tokens + row) * tokens + prefixTokens, scaledBy: weight,
                                       into: values.pointer, count: patches)
            }
        }
        Maps.normaliseToUnitRange(values.pointer, count: patches)
        return values.array
    }
}
