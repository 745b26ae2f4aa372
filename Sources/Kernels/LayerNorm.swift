/// Layer normalisation over the last axis of a [rows, features] buffer.
public enum LayerNorm {
    /// y = (x − mean) / √(var + eps) · gamma + beta per row (biased variance,
    /// as PyTorch). When `mean` and `inverseStd` are given, the per-row
    /// statistics are stored there for the backward pass.
    public static func forward(
        _ x: UnsafePointer<Float>, rows: Int, features: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, epsilon: Float,
        output y: UnsafeMutablePointer<Float>,
        mean: UnsafeMutablePointer<Float>? = nil, inverseStd: UnsafeMutablePointer<Float>? = nil
    ) {
        let count = Float(features)
        Elementwise.eachRow(rows, columns: features) { row in
            let input = x + row * features
            let rowMean = VectorMath.sum(features, input) / count
            let centre = FloatVector(repeating: rowMean)
            // Two passes: the centred sum of squares avoids the
            // cancellation of E[x²] − E[x]² on large activations.
            let variance = VectorMath.sum(features, input) { v in (v - centre) * (v - centre) } / count
            let scale = 1 / (variance + epsilon).squareRoot()
            mean?[row] = rowMean
            inverseStd?[row] = scale
            let output = y + row * features
            var index = 0
            while index + VectorMath.width <= features {
                let normalised = (VectorMath.load(input + index) - centre) * scale
                VectorMath.store(normalised * VectorMath.load(gamma + index) + VectorMath.load(beta + index), output + index)
                index += VectorMath.width
            }
            while index < features {
                output[index] = (input[index] - rowMean) * scale * gamma[index] + beta[index]
                index += 1
            }
        }
    }

    /// Accumulates dx, dgamma and dbeta from dy and the saved statistics.
    public static func backward(
        _ x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>, rows: Int, features: Int,
        gamma: UnsafePointer<Float>, mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>,
        inputGradient dx: UnsafeMutablePointer<Float>?,
        gammaGradient: UnsafeMutablePointer<Float>?, betaGradient: UnsafeMutablePointer<Float>?
    ) {
        let count = Float(features)
        if let dx {
            Elementwise.eachRow(rows, columns: features) { row in
                let input = x + row * features
                let gradient = dy + row * features
                let rowMean = mean[row]
                let scale = inverseStd[row]
                // dx = scale · (g·γ − mean(g·γ) − x̂ · mean(g·γ·x̂))
                var sumGamma: Float = 0
                var sumGammaNormalised: Float = 0
                for index in 0..<features {
                    let weighted = gradient[index] * gamma[index]
                    sumGamma += weighted
                    sumGammaNormalised += weighted * (input[index] - rowMean) * scale
                }
                let meanGamma = sumGamma / count
                let meanGammaNormalised = sumGammaNormalised / count
                let target = dx + row * features
                for index in 0..<features {
                    let normalised = (input[index] - rowMean) * scale
                    target[index] += scale * (gradient[index] * gamma[index] - meanGamma - normalised * meanGammaNormalised)
                }
            }
        }
        guard gammaGradient != nil || betaGradient != nil else { return }
        Parallel.forRanges(features, minimumChunk: 32) { columns in
            for row in 0..<rows {
                let input = x + row * features
                let gradient = dy + row * features
                let rowMean = mean[row]
                let scale = inverseStd[row]
                for index in columns {
                    gammaGradient?[index] += gradient[index] * (input[index] - rowMean) * scale
                    betaGradient?[index] += gradient[index]
                }
            }
        }
    }
}
