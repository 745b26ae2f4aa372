import Kernels

/// Layer norm over the last axis with affine weight and bias.
public func layerNorm(_ x: Variable, weight: Variable, bias: Variable, epsilon: Float) -> Variable {
    let features = x.shape.last ?? 1
    let rows = x.value.count / features
    let out = Tensor(uninitialized: x.shape)
    let tracked = x.requiresGradient || weight.requiresGradient || bias.requiresGradient
    let mean = tracked ? Tensor(uninitialized: [rows]) : nil
    let inverseStd = tracked ? Tensor(uninitialized: [rows]) : nil
    LayerNorm.forward(x.value.pointer, rows: rows, features: features, gamma: weight.value.pointer,
                      beta: bias.value.pointer, epsilon: epsilon, output: out.pointer,
                      mean: mean?.pointer, inverseStd: inverseStd?.pointer)
    return Variable(out, inputs: [x, weight, bias]) { gradient in
        guard let mean, let inverseStd else { return }
        LayerNorm.backward(x.value.pointer, outputGradient: gradient.pointer, rows: rows, features: features,
                           gamma: weight.value.pointer, mean: mean.pointer, inverseStd: inverseStd.pointer,
                           inputGradient: x.requiresGradient ? x.gradientBuffer().pointer : nil,
                           gammaGradient: weight.requiresGradient ? weight.gradientBuffer().pointer : nil,
                           betaGradient: bias.requiresGradient ? bias.gradientBuffer().pointer : nil)
    }
}
