import Kernels

/// A node of the reverse-mode graph: a value, its gradient once computed,
/// and the rule that sends that gradient to the inputs it came from.
///
/// Nodes whose inputs need no gradient carry no rule and no parents, so a
/// forward pass over constants records nothing and costs only the kernels.
public final class Variable: @unchecked Sendable {
    public let value: Tensor
    public let requiresGradient: Bool
    /// A constant matrix's value packed for the inference GEMM, when it is
    /// the weight of linear layers (see `Parameters.prepareForInference`).
    public let packed: PackedWeights?
    /// d(root)/d(self) after `backward`; nil until something flows here.
    public private(set) var gradient: Tensor?
    let parents: [Variable]
    let backwardRule: ((Tensor) -> Void)?

    /// A constant (data) or, with `requiresGradient`, a leaf such as a
    /// trainable parameter or a watched activation.
    public convenience init(_ value: Tensor, requiresGradient: Bool = false) {
        self.init(leaf: value, requiresGradient: requiresGradient, packed: nil)
    }

    /// A constant weight matrix [out, in] with its packed form; `packed`
    /// must have been packed from `value`, which must not change after.
    public convenience init(constant value: Tensor, packed: PackedWeights?) {
        precondition(packed.map { [$0.outFeatures, $0.inFeatures] == value.shape } ?? true,
                     "packed weights do not match \(value.shape)")
        self.init(leaf: value, requiresGradient: false, packed: packed)
    }

    private init(leaf value: Tensor, requiresGradient: Bool, packed: PackedWeights?) {
        self.value = value
        self.requiresGradient = requiresGradient
        self.packed = packed
        parents = []
        backwardRule = nil
    }

    /// An op's output: differentiable only if one of its inputs is.
    /// `rule` receives this node's gradient and accumulates into inputs
    /// through `Variable.accumulate`.
    init(_ value: Tensor, inputs: [Variable], rule: @escaping (Tensor) -> Void) {
        self.value = value
        packed = nil
        let tracked = inputs.filter(\.requiresGradient)
        requiresGradient = !tracked.isEmpty
        parents = tracked
        backwardRule = requiresGradient ? rule : nil
    }

    public var shape: [Int] { value.shape }

    /// The gradient buffer of this node, zero-filled on first use, for rules
    /// that add into only part of it.
    func gradientBuffer() -> Tensor {
        let (buffer, write) = gradientTarget()
        if write == .overwrite { buffer.fill(0) }
        return buffer
    }

    /// The gradient storage for a rule that writes every element of it:
    /// `.overwrite` while nothing has flowed here yet, so fresh storage is
    /// left uninitialised rather than zero-filled and then added into.
    func gradientTarget() -> (tensor: Tensor, write: GradientWrite) {
        if let gradient { return (gradient, .accumulate) }
        let created = Tensor(uninitialized: value.shape)
        gradient = created
        return (created, .overwrite)
    }

    /// Adds `contribution` to this node's gradient when it is tracked.
    func accumulate(_ contribution: Tensor) {
        guard requiresGradient else { return }
        let (target, write) = gradientTarget()
        switch write {
        case .accumulate: Elementwise.accumulate(contribution.pointer, into: target.pointer, count: target.count)
        case .overwrite: target.pointer.update(from: contribution.pointer, count: target.count)
        }
    }

    /// Clears the gradient (parameters between optimiser steps).
    public func zeroGradient() { gradient = nil }

    /// The same value as a new leaf cut off from this graph.
    public func detached(requiresGradient: Bool = false) -> Variable {
        Variable(value, requiresGradient: requiresGradient)
    }

    /// Back-propagates from this node. `seed` is d(root)/d(self); it
    /// defaults to ones (for a scalar loss, 1).
    public func backward(seed: Tensor? = nil) {
        guard requiresGradient else { return }
        let start = gradientBuffer()
        if let seed {
            precondition(seed.shape == value.shape, "seed \(seed.shape) for value \(value.shape)")
            Elementwise.accumulate(seed.pointer, into: start.pointer, count: start.count)
        } else {
            start.fill(1)
        }
        for node in topologicalOrder().reversed() {
            guard let rule = node.backwardRule, let gradient = node.gradient else { continue }
            rule(gradient)
        }
    }

    /// Every tracked node reachable from here, inputs before outputs.
    private func topologicalOrder() -> [Variable] {
        var order: [Variable] = []
        var visited = Set<ObjectIdentifier>()
        // Iterative depth-first search: a deep network would overflow the
        // stack with recursion.
        var stack: [(Variable, Bool)] = [(self, false)]
        while let (node, expanded) = stack.popLast() {
            if expanded {
                order.append(node)
                continue
            }
            guard visited.insert(ObjectIdentifier(node)).inserted else { continue }
            stack.append((node, true))
            for parent in node.parents where !visited.contains(ObjectIdentifier(parent)) {
                stack.append((parent, false))
            }
        }
        return order
    }
}
