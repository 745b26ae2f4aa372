import Kernels

/// How patch tokens are ranked before pruning (SPEC §1.1).
public enum PruningPolicy: String, CaseIterable, Sendable, Codable {
    /// Dense: nothing is pruned.
    case none
    /// Uniformly random tokens, seeded: the seed's baseline.
    case random
    /// The learned Scorer's predicted Grad-CAM.
    case scorer
    /// Oracle: the true Grad-CAM of the dense pass, an upper bound.
    case gradcam
    /// EViT-style CLS attention at the pruning block, averaged over heads
    /// (without a CLS token: the patch tokens' mean attention).
    case clsAttention = "cls-attention"
}

/// How many tokens survive: a fraction of the patches or a score threshold.
public enum PruningBudget: Sendable, Equatable {
    case keepRate(Double)
    case threshold(Float)
}

/// One class with its probability.
public struct ClassScore: Sendable, Equatable, Codable {
    public let index: Int
    public let label: String
    public let probability: Float

    public init(index: Int, label: String, probability: Float) {
        self.index = index
        self.label = label
        self.probability = probability
    }
}

/// What the user asks of one analysis.
public struct AnalysisRequest: Sendable, Equatable {
    public var policy: PruningPolicy
    public var budget: PruningBudget
    /// Grad-CAM target; nil means the dense top-1.
    public var targetClass: Int?
    /// Seed for the random policy.
    public var seed: UInt64

    public init(policy: PruningPolicy = .scorer, budget: PruningBudget = .keepRate(0.5),
                targetClass: Int? = nil, seed: UInt64 = 0) {
        self.policy = policy
        self.budget = budget
        self.targetClass = targetClass
        self.seed = seed
    }
}

/// Everything the engine computes for one image under one request; the
/// workbench draws it and `glimpse analyze --json` prints it.
public struct Analysis: Sendable {
    public let modelName: String
    /// [C, H, W] of the model input.
    public let inputSize: [Int]
    /// Patch grid (rows, columns); token i sits at row i / columns, column i % columns.
    public let gridRows: Int
    public let gridColumns: Int
    /// The preprocessed crop before normalisation, [3, H, W] in 0...1, for display.
    public let displayImage: Tensor
    public let logits: [Float]
    public let top: [ClassScore]
    /// Min-max normalised Grad-CAM per token, row-major over the grid.
    public let gradcam: [Float]
    public let gradcamClass: Int
    /// Attention rollout per token, min-max normalised.
    public let rollout: [Float]
    /// Scorer prediction per token; nil when the model has no Scorer.
    public let scorer: [Float]?
    public let policy: PruningPolicy
    public let budget: PruningBudget
    /// Grid indices of the kept patch tokens, ascending.
    public let kept: [Int]
    public let prunedLogits: [Float]
    public let prunedTop: [ClassScore]
    public let gflopsDense: Double
    public let gflopsPruned: Double
    /// Milliseconds per stage: "preprocess", "forward", "pruned_forward", "gradcam".
    public let timingsMs: [String: Double]

    public init(modelName: String, inputSize: [Int], gridRows: Int, gridColumns: Int,
                displayImage: Tensor, logits: [Float], top: [ClassScore],
                gradcam: [Float], gradcamClass: Int, rollout: [Float], scorer: [Float]?,
                policy: PruningPolicy, budget: PruningBudget, kept: [Int],
                prunedLogits: [Float], prunedTop: [ClassScore],
                gflopsDense: Double, gflopsPruned: Double, timingsMs: [String: Double]) {
        self.modelName = modelName
        self.inputSize = inputSize
        self.gridRows = gridRows
        self.gridColumns = gridColumns
        self.displayImage = displayImage
        self.logits = logits
        self.top = top
        self.gradcam = gradcam
        self.gradcamClass = gradcamClass
        self.rollout = rollout
        self.scorer = scorer
        self.policy = policy
        self.budget = budget
        self.kept = kept
        self.prunedLogits = prunedLogits
        self.prunedTop = prunedTop
        self.gflopsDense = gflopsDense
        self.gflopsPruned = gflopsPruned
        self.timingsMs = timingsMs
    }
}

/// One line of a sweep: a policy at a keep rate over a data set.
public struct SweepRow: Sendable, Equatable, Codable {
    public let policy: PruningPolicy
    public let keep: Double
    public let accuracy: Double
    /// Fraction of images whose pruned top-1 equals the dense top-1.
    public let agreement: Double
    public let gflops: Double
    public let msPerImage: Double

    public init(policy: PruningPolicy, keep: Double, accuracy: Double, agreement: Double,
                gflops: Double, msPerImage: Double) {
        self.policy = policy
        self.keep = keep
        self.accuracy = accuracy
        self.agreement = agreement
        self.gflops = gflops
        self.msPerImage = msPerImage
    }
}
