import Kernels

/// Multi-head self-attention core over a packed qkv tensor [B, N, 3W]
/// (timm layout) → [B, N, W]. When `keepProbabilities` is set, or a
/// gradient is needed, the attention weights [B, H, N, N] are returned too.
public func selfAttention(_ qkv: Variable, heads: Int, keepProbabilities: Bool = false) -> (output: Variable, probabilities: Tensor?) {
    precondition(qkv.shape.count == 3 && qkv.shape[2] % (3 * heads) == 0, "attention: qkv \(qkv.shape), \(heads) heads")
    let batch = qkv.shape[0], tokens = qkv.shape[1], width = qkv.shape[2] / 3
    let shape = AttentionShape(batch: batch, tokens: tokens, heads: heads, headDimension: width / heads)
    let probabilities = keepProbabilities || qkv.requiresGradient ? Tensor(uninitialized: [batch, heads, tokens, tokens]) : nil
    let out = Tensor(uninitialized: [batch, tokens, width])
    Attention.forward(shape, qkv: qkv.value.pointer, output: out.pointer, probabilities: probabilities?.pointer)
    let output = Variable(out, inputs: [qkv]) { gradient in
        guard let probabilities else { return }
        let target = qkv.gradientTarget()
        Attention.backward(shape, qkv: qkv.value.pointer, probabilities: probabilities.pointer,
                           outputGradient: gradient.pointer, qkvGradient: target.tensor.pointer, write: target.write)
    }
    return (output, probabilities)
}
