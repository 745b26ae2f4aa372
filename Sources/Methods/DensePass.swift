import Foundation
import Autodiff
import Kernels
import Models

/// What to observe during a dense forward pass.
public struct DensePassOptions: Sendable {
    /// Keep every block's attention weights (rollout, CLS attention).
    public var keepAttention = false
    /// Keep the tokens after this many blocks (the Scorer's input).
    public var featuresAfterBlocks: Int?
    /// Compute Grad-CAM per patch token.
    public var gradcam = false
    /// Grad-CAM target per batch item; nil means each item's top-1.
    public var targetClasses: [Int]?

    public init(keepAttention: Bool = false, featuresAfterBlocks: Int? = nil, gradcam: Bool = false,
                targetClasses: [Int]? = nil) {
        self.keepAttention = keepAttention
        self.featuresAfterBlocks = featuresAfterBlocks
        self.gradcam = gradcam
        self.targetClasses = targetClasses
    }
}

/// The results of one dense pass over a batch.
public struct DensePass {
    /// [B, classes]
    public let logits: Tensor
    /// Per block, [B, heads, N, N]; empty unless kept.
    public let attention: [Tensor]
    /// Tokens [B, N, D] after `featuresAfterBlocks` blocks.
    public let features: Tensor?
    /// Per item, min-max normalised Grad-CAM over the patch grid.
    public let gradcam: [[Float]]
    /// The class each item's Grad-CAM explains.
    public let gradcamClasses: [Int]
    /// Milliseconds to the logits, and for the whole pass with backward.
    public let forwardMilliseconds: Double
    public let totalMilliseconds: Double

    /// Runs the model on preprocessed images [B, C, H, W].
    public static func run(_ model: VisionTransformer, images: Tensor, options: DensePassOptions = DensePassOptions()) -> DensePass {
        let clock = Stopwatch()
        let depth = model.config.depth
        var tokens = model.embed(Variable(images))
        var attention: [Tensor] = []
        var features: Tensor?
        var watched: Variable?
        if options.featuresAfterBlocks == 0 { features = tokens.value }
        for index in 0..<depth {
            let taps = BlockTaps(watchNorm1: options.gradcam && index == depth - 1, keepAttention: options.keepAttention)
            let output = model.block(index, tokens, taps: taps)
            tokens = output.tokens
            if let kept = output.attention { attention.append(kept) }
            if let norm1 = output.norm1 { watched = norm1 }
            if options.featuresAfterBlocks == index + 1 { features = tokens.value }
        }
        let logits = model.classify(tokens)
        let forward = clock.milliseconds
        var maps: [[Float]] = []
        var classes: [Int] = []
        if let watched {
            classes = options.targetClasses ?? topClasses(logits.value)
            logits.backward(seed: oneHot(classes, classes: logits.shape[1]))
            maps = GradCAM.maps(activations: watched.value, gradients: watched.gradient ?? Tensor(zeros: watched.shape),
                                prefixTokens: model.config.prefixTokenCount)
        }
        return DensePass(logits: logits.value, attention: attention, features: features, gradcam: maps,
                         gradcamClasses: classes, forwardMilliseconds: forward, totalMilliseconds: clock.milliseconds)
    }

    /// Index of the largest logit of every row of [B, C].
    public static func topClasses(_ logits: Tensor) -> [Int] {
        let classes = logits.shape[1]
        return (0..<logits.shape[0]).map { row in
            var best = 0
            for column in 1..<classes where logits[flat: row * classes + column] > logits[flat: row * classes + best] {
                best = column
            }
            return best
        }
    }

    private static func oneHot(_ indices: [Int], classes: Int) -> Tensor {
        let seed = Tensor(zeros: [indices.count, classes])
        for (row, index) in indices.enumerated() { seed[flat: row * classes + index] = 1 }
        return seed
    }
}

/// Wall-clock milliseconds since creation.
public struct Stopwatch {
    private let start = DispatchTimeSource.now()
    public init() {}
    public var milliseconds: Double { Double(DispatchTimeSource.now() - start) / 1e6 }
}

/// Monotonic nanoseconds.
enum DispatchTimeSource {
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
