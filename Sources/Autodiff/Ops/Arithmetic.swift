import Kernels

/// a + b (same shape).
public func add(_ a: Variable, _ b: Variable) -> Variable {
    precondition(a.value.count == b.value.count, "add: \(a.shape) vs \(b.shape)")
    let out = Tensor(uninitialized: a.shape)
    Elementwise.add(a.value.pointer, b.value.pointer, out.pointer, count: out.count)
    return Variable(out, inputs: [a, b]) { gradient in
        a.accumulate(gradient)
        b.accumulate(gradient)
    }
}

/// x + b where b repeats along the leading axes (x.count is a multiple of
/// b.count): biases and position embeddings.
public func add(_ x: Variable, broadcasting b: Variable) -> Variable {
    let width = b.value.count
    precondition(width > 0 && x.value.count % width == 0, "broadcast add: \(x.shape) vs \(b.shape)")
    let out = x.value.copy()
    Elementwise.addRowVector(b.value.pointer, to: out.pointer, rowCount: out.count / width, columns: width)
    return Variable(out, inputs: [x, b]) { gradient in
        x.accumulate(gradient)
        if b.requiresGradient {
            Elementwise.accumulateColumnSums(gradient.pointer, rowCount: gradient.count / width, columns: width,
                                             into: b.gradientBuffer().pointer)
        }
    }
}

/// a ⊙ b (same shape).
public func multiply(_ a: Variable, _ b: Variable) -> Variable {
    precondition(a.value.count == b.value.count, "multiply: \(a.shape) vs \(b.shape)")
    let out = Tensor(uninitialized: a.shape)
    Elementwise.multiply(a.value.pointer, b.value.pointer, out.pointer, count: out.count)
    return Variable(out, inputs: [a, b]) { gradient in
        if a.requiresGradient {
            Elementwise.accumulateProduct(gradient.pointer, b.value.pointer, into: a.gradientBuffer().pointer, count: out.count)
        }
        if b.requiresGradient {
            Elementwise.accumulateProduct(gradient.pointer, a.value.pointer, into: b.gradientBuffer().pointer, count: out.count)
        }
    }
}

/// x ⊙ g where g repeats along the leading axes (x.count is a multiple of
/// g.count): LayerScale's per-channel factors.
public func multiply(_ x: Variable, broadcasting g: Variable) -> Variable {
    let width = g.value.count
    precondition(width > 0 && x.value.count % width == 0, "broadcast multiply: \(x.shape) vs \(g.shape)")
    let rowCount = x.value.count / width
    let out = x.value.copy()
    Elementwise.multiplyRowVector(g.value.pointer, into: out.pointer, rowCount: rowCount, columns: width)
    return Variable(out, inputs: [x, g]) { gradient in
        if x.requiresGradient {
            Elementwise.accumulateRowVectorProduct(gradient.pointer, g.value.pointer, into: x.gradientBuffer().pointer,
                                                   rowCount: rowCount, columns: width)
        }
        if g.requiresGradient {
            Elementwise.accumulateColumnProductSums(gradient.pointer, x.value.pointer, rowCount: rowCount, columns: width,
                                                    into: g.gradientBuffer().pointer)
        }
    }
}

/// alpha · x
public func scale(_ x: Variable, by alpha: Float) -> Variable {
    let out = Tensor(uninitialized: x.shape)
    Elementwise.affine(x.value.pointer, out.pointer, count: out.count, scale: alpha)
    return Variable(out, inputs: [x]) { gradient in
        if x.requiresGradient {
            Elementwise.accumulate(gradient.pointer, scaledBy: alpha, into: x.gradientBuffer().pointer, count: gradient.count)
        }
    }
}

/// The same values under another shape.
public func reshape(_ x: Variable, _ shape: [Int]) -> Variable {
    Variable(x.value.reshaped(shape), inputs: [x]) { gradient in
        x.accumulate(gradient)
    }
}
