import Foundation

/// Parameter updates.
public enum Optimizer {
    /// Hyper-parameters of one AdamW step.
    public struct AdamWStep: Sendable {
        public var learningRate: Float
        public var beta1: Float
        public var beta2: Float
        public var epsilon: Float
        public var weightDecay: Float
        /// 1-based step count, for the bias corrections.
        public var step: Int

        public init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                    weightDecay: Float, step: Int) {
            self.learningRate = learningRate
            self.beta1 = beta1
            self.beta2 = beta2
            self.epsilon = epsilon
            self.weightDecay = weightDecay
            self.step = step
        }
    }

    /// Decoupled weight decay Adam (PyTorch `AdamW` semantics), in place.
    public static func adamW(parameter: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>,
                             firstMoment: UnsafeMutablePointer<Float>, secondMoment: UnsafeMutablePointer<Float>,
                             count: Int, _ settings: AdamWStep) {
        let correction1 = 1 - Foundation.pow(settings.beta1, Float(settings.step))
        let correction2 = 1 - Foundation.pow(settings.beta2, Float(settings.step))
        let stepSize = settings.learningRate / correction1
        let decay = 1 - settings.learningRate * settings.weightDecay
        let inverseRootCorrection2 = 1 / correction2.squareRoot()
        Elementwise.chunks(count) { start, length in
            for index in start..<(start + length) {
                let g = gradient[index]
                let m = settings.beta1 * firstMoment[index] + (1 - settings.beta1) * g
                let v = settings.beta2 * secondMoment[index] + (1 - settings.beta2) * g * g
                firstMoment[index] = m
                secondMoment[index] = v
                let denominator = v.squareRoot() * inverseRootCorrection2 + settings.epsilon
                parameter[index] = parameter[index] * decay - stepSize * m / denominator
            }
        }
    }
}

extension Optimizer {
    /// √(Σ g²) over several gradient buffers.
    public static func globalNorm(_ gradients: [Tensor]) -> Float {
        var total: Double = 0
        for gradient in gradients {
            total += Double(Elementwise.dot(gradient.pointer, gradient.pointer, count: gradient.count))
        }
        return Float(total.squareRoot())
    }

    /// Scales every gradient so their global norm is at most `maximum`.
    public static func clip(_ gradients: [Tensor], maximumNorm maximum: Float) {
        let norm = globalNorm(gradients)
        guard norm > maximum, norm > 0 else { return }
        for gradient in gradients {
            Elementwise.affine(gradient.pointer, gradient.pointer, count: gradient.count, scale: maximum / norm)
        }
    }
}
