import Kernels

/// y = x Wᵀ + b over the last axis: x [..., K], W [N, K] (PyTorch layout),
/// b [N]; plus r [..., N] when `residual` is given, the skip connection
/// around the layer added inside the product instead of after it.
public func linear(_ x: Variable, weight: Variable, bias: Variable?, adding residual: Variable? = nil) -> Variable {
    let inFeatures = weight.shape[1], outFeatures = weight.shape[0]
    precondition(x.shape.last == inFeatures, "linear: input \(x.shape) for weight \(weight.shape)")
    let rows = x.value.count / inFeatures
    let out = Tensor(uninitialized: Array(x.shape.dropLast()) + [outFeatures])
    precondition(residual.map { $0.shape == out.shape } ?? true, "linear: residual \(residual!.shape) for output \(out.shape)")
    GEMM.linear(input: x.value.pointer, rows: rows, inFeatures: inFeatures, weight: weight.value.pointer,
                outFeatures: outFeatures, bias: bias?.value.pointer, residual: residual?.value.pointer, packed: weight.packed,
                output: out.pointer)
    return Variable(out, inputs: [x, weight] + [bias, residual].compactMap { $0 }) { gradient in
        residual?.accumulate(gradient)
        if x.requiresGradient {
            // dX += dY W
            let target = x.gradientTarget()
            GEMM.multiply(m: rows, n: inFeatures, k: outFeatures, a: gradient.pointer, lda: outFeatures,
                          b: weight.value.pointer, ldb: inFeatures, c: target.tensor.pointer, ldc: inFeatures,
                          beta: target.write.beta)
        }
        if weight.requiresGradient {
            // dW += dYᵀ X
            let target = weight.gradientTarget()
            GEMM.multiply(m: outFeatures, n: inFeatures, k: rows, a: gradient.pointer, lda: outFeatures, transposeA: true,
                          b: x.value.pointer, ldb: inFeatures, c: target.tensor.pointer, ldc: inFeatures,
                          beta: target.write.beta)
        }
        if let bias, bias.requiresGradient {
            Elementwise.accumulateColumnSums(gradient.pointer, rowCount: rows, columns: outFeatures,
                                             into: bias.gradientBuffer().pointer)
        }
    }
}
