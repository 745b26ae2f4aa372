import Kernels

/// Exact (erf) GELU.
public func gelu(_ x: Variable) -> Variable {
    let out = Tensor(uninitialized: x.shape)
    Activation.gelu(x.value.pointer, out.pointer, count: out.count)
    return Variable(out, inputs: [x]) { gradient in
        let target = x.gradientTarget()
        Activation.geluBackward(x.value.pointer, gradient.pointer, target.tensor.pointer, count: out.count, write: target.write)
    }
}

public func relu(_ x: Variable) -> Variable {
    let out = Tensor(uninitialized: x.shape)
    Activation.relu(x.value.pointer, out.pointer, count: out.count)
    return Variable(out, inputs: [x]) { gradient in
        Activation.reluBackward(x.value.pointer, gradient.pointer, x.gradientBuffer().pointer, count: out.count)
    }
}

public func sigmoid(_ x: Variable) -> Variable {
    let out = Tensor(uninitialized: x.shape)
    Activation.sigmoid(x.value.pointer, out.pointer, count: out.count)
    return Variable(out, inputs: [x]) { gradient in
        Activation.sigmoidBackward(out.pointer, gradient.pointer, x.gradientBuffer().pointer, count: out.count)
    }
}
