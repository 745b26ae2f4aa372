/// Small reductions that turn activations and attention into per-token maps.
public enum Maps {
    /// Rescales to [0, 1] as pytorch-grad-cam's `scale_cam_image` does:
    /// (x − min) / (1e-7 + max(x − min)). A constant map becomes zeros.
    public static func normaliseToUnitRange(_ x: UnsafeMutablePointer<Float>, count: Int) {
        guard count > 0 else { return }
        var low = x[0], high = x[0]
        for index in 1..<count {
            low = min(low, x[index])
            high = max(high, x[index])
        }
        let scale = 1 / (1e-7 + (high - low))
        for index in 0..<count { x[index] = (x[index] - low) * scale }
    }

    /// out[t] = ReLU(Σ_c activations[t, c] · weights[c]): the Grad-CAM
    /// weighted channel sum for each token.
    public static func weightedChannelSum(_ activations: UnsafePointer<Float>, tokens: Int, channels: Int,
                                          weights: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        for token in 0..<tokens {
            out[token] = max(0, Elementwise.dot(activations + token * channels, weights, count: channels))
        }
    }

    /// Averages [heads, N, N] attention over heads into [N, N].
    public static func meanOverHeads(_ attention: UnsafePointer<Float>, heads: Int, tokens: Int,
                                     into out: UnsafeMutablePointer<Float>) {
        let size = tokens * tokens
        out.initialize(repeating: 0, count: size)
        for head in 0..<heads {
            Elementwise.accumulate(attention + head * size, scaledBy: 1 / Float(heads), into: out, count: size)
        }
    }

    /// A ← row-normalise(½A + ½I) in place for an [N, N] matrix: the
    /// residual-aware attention of rollout (Abnar & Zuidema).
    public static func mixWithIdentity(_ matrix: UnsafeMutablePointer<Float>, tokens: Int) {
        for row in 0..<tokens {
            let line = matrix + row * tokens
            var total: Float = 0
            for column in 0..<tokens {
                line[column] = 0.5 * line[column] + (row == column ? 0.5 : 0)
                total += line[column]
            }
            let inverse = total > 0 ? 1 / total : 0
            for column in 0..<tokens { line[column] *= inverse }
        }
    }
}
