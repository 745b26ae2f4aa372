import Autodiff
import Kernels

/// Named weight tensors (PyTorch state-dict names) and how a forward pass
/// sees them.
///
/// For inference every parameter is a constant, so nothing is recorded. In
/// a training step each parameter becomes a tracked leaf the first time
/// the step reads it; after `backward`, `gradients` lists what reached them.
public final class Parameters: @unchecked Sendable {
    public private(set) var tensors: [String: Tensor]
    private var leaves: [String: Variable] = [:]
    private var constants: [String: Variable] = [:]
    private var trainingStep = false
    /// Set by `prepareForInference`.
    public private(set) var preparedForInference = false
    /// The kernel prepared matrices are packed for; nil leaves them to BLAS.
    private var packingKernel: PackedWeights.Kernel?

    public init(_ tensors: [String: Tensor] = [:]) {
        self.tensors = tensors
    }

    public var names: [String] { tensors.keys.sorted() }

    public var scalarCount: Int { tensors.values.reduce(0) { $0 + $1.count } }

    public subscript(name: String) -> Tensor? { tensors[name] }

    /// Adds or replaces a tensor.
    public func set(_ name: String, _ tensor: Tensor) {
        tensors[name] = tensor
        constants[name] = nil
        leaves[name] = nil
    }

    /// The parameter as the current forward pass should see it.
    public func variable(_ name: String) -> Variable {
        guard let tensor = tensors[name] else { preconditionFailure("no parameter \(name)") }
        if trainingStep {
            if let leaf = leaves[name] { return leaf }
            let leaf = Variable(tensor, requiresGradient: true)
            leaves[name] = leaf
            return leaf
        }
        if let constant = constants[name] { return constant }
        let constant = preparedForInference && tensor.shape.count == 2
            ? Variable(constant: tensor, packed: packingKernel.flatMap {
                PackedWeights(tensor.pointer, outFeatures: tensor.shape[0], inFeatures: tensor.shape[1], kernel: $0)
            })
            : Variable(tensor)
        constants[name] = constant
        return constant
    }

    /// From now on forward passes see every matrix packed for `kernel`
    /// (packed as a pass first reads it, kept until `set` replaces it), and
    /// training steps are refused: packed copies would not follow the
    /// optimiser's in-place updates. For models loaded to be run, not trained.
    public func prepareForInference(kernel: PackedWeights.Kernel? = PackedWeights.Kernel.best) {
        preparedForInference = true
        packingKernel = kernel
        constants = [:]
    }

    /// A second view of the same tensors with its own tracking state, so
    /// that several threads can run training steps on one model at once;
    /// in-place optimiser updates reach every view.
    public func sharingTensors() -> Parameters {
        let view = Parameters(tensors)
        if preparedForInference { view.prepareForInference(kernel: packingKernel) }
        return view
    }

    /// Starts a step whose forward pass records gradients for every parameter.
    public func beginTrainingStep() {
        precondition(!preparedForInference, "parameters prepared for inference cannot be trained")
        leaves = [:]
        trainingStep = true
    }

    /// Ends the step; returns each parameter's gradient that was reached.
    public func endTrainingStep() -> [String: Tensor] {
        trainingStep = false
        defer { leaves = [:] }
        return leaves.compactMapValues(\.gradient)
    }
}
