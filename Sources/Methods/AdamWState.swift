import Kernels
import Models

/// AdamW moments for a parameter set, created on first use, with the step
/// count the bias corrections need. Weight decay applies to matrices only
/// (not biases, norms or the names in `undecayed`), as timm does.
struct AdamWState {
    private(set) var firstMoments: [String: Tensor] = [:]
    private(set) var secondMoments: [String: Tensor] = [:]
    private(set) var steps = 0
    let undecayed: Set<String>

    init(undecayed: Set<String> = []) {
        self.undecayed = undecayed
    }

    mutating func step(_ parameters: Parameters, gradients: [String: Tensor], learningRate: Double, weightDecay: Double) {
        steps += 1
        for (name, gradient) in gradients {
            guard let parameter = parameters[name] else { continue }
            let first = firstMoments[name] ?? Tensor(zeros: parameter.shape)
            let second = secondMoments[name] ?? Tensor(zeros: parameter.shape)
            firstMoments[name] = first
            secondMoments[name] = second
            let decays = parameter.rank >= 2 && !undecayed.contains(name)
            Optimizer.adamW(parameter: parameter.pointer, gradient: gradient.pointer, firstMoment: first.pointer,
                            secondMoment: second.pointer, count: parameter.count,
                            Optimizer.AdamWStep(learningRate: Float(learningRate),
                                                weightDecay: decays ? Float(weightDecay) : 0, step: steps))
        }
    }

    /// Restores moments and the step count from a checkpoint.
    mutating func restore(step: Int, first: [String: Tensor], second: [String: Tensor]) {
        steps = step
        firstMoments = first
        secondMoments = second
    }
}
