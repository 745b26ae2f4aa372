import Foundation

/// How an image becomes model input (timm `pretrained_cfg`).
public struct Preprocessing: Sendable, Equatable {
    public enum Interpolation: String, Sendable {
        case bilinear, bicubic, nearest
    }

    /// [C, H, W]
    public var inputSize: [Int]
    public var cropFraction: Double
    public var interpolation: Interpolation
    public var mean: [Float]
    public var std: [Float]

    public init(inputSize: [Int], cropFraction: Double, interpolation: Interpolation, mean: [Float], std: [Float]) {
        self.inputSize = inputSize
        self.cropFraction = cropFraction
        self.interpolation = interpolation
        self.mean = mean
        self.std = std
    }

    /// Problems that make these settings unusable for `channels`-channel input, or nil.
    func inconsistency(channels: Int) -> String? {
        if mean.count != channels || std.count != channels { return "mean/std need \(channels) values" }
        if std.contains(where: { $0 == 0 }) { return "std must not be zero" }
        if !(cropFraction > 0 && cropFraction <= 1) { return "crop_pct must be in (0, 1]" }
        return nil
    }

    static let imagenetMean: [Float] = [0.485, 0.456, 0.406]
    static let imagenetStd: [Float] = [0.229, 0.224, 0.225]
}

/// How the head reads the final tokens (timm `global_pool`).
public enum GlobalPool: String, Sendable, CaseIterable {
    /// The CLS token after the final norm (`norm`).
    case token
    /// The mean of the patch tokens, then a norm of that mean (`fc_norm`),
    /// or with timm `fc_norm: false` the mean of the normed tokens (`norm`).
    case avg
}

/// A Vision Transformer's shape, with timm `VisionTransformer` semantics.
public struct ViTConfig: Sendable, Equatable {
    public var architecture: String
    public var imageHeight: Int
    public var imageWidth: Int
    public var patchSize: Int
    public var embedDimension: Int
    public var depth: Int
    public var heads: Int
    public var mlpRatio: Double
    public var inChannels: Int
    public var classes: Int
    public var layerNormEpsilon: Float = 1e-6
    public var globalPool: GlobalPool = .token
    /// Where the final norm runs (timm `fc_norm`): true after pooling, as
    /// `fc_norm`; false on the tokens before it, as `norm`; nil for timm's
    /// default, after "avg" pooling and before "token" read-out. For
    /// "token" both places compute the same; only the name differs.
    public var finalNormAfterPool: Bool?
    /// Output channels of the 3×3 convolutions (stride 1, each followed by
    /// GELU) that run before the patch embedding; empty for timm's plain
    /// ViT. A stem gives every token a view of its neighbourhood, the
    /// locality a small ViT trained from scratch otherwise learns slowly.
    public var stemWidths: [Int] = []
    /// Width of a hidden layer inside the patch embedding: a p×p convolution
    /// of stride p with GELU, then the 1×1 projection to the token width; 0
    /// for timm's linear embedding. Each token's own pixels then shape its
    /// features non-linearly before the first attention, while a token still
    /// sees only its own patch (a stem widens that view).
    public var patchHiddenWidth = 0
    /// Whether a CLS token leads the sequence (timm `class_token`). Without
    /// one the head must read the mean of the patch tokens.
    public var classToken = true
    /// Register tokens between CLS and the patches (timm `reg_tokens`;
    /// Darcet et al., 2023): learned tokens no patch owns, where attention
    /// can keep global state instead of in background patches. Pruning
    /// keeps them with CLS; explanations drop them with CLS.
    public var registerTokens = 0
    /// Whether the position embedding has rows for CLS and the registers
    /// (timm's default) or for the patches only (timm `no_embed_class`, as
    /// in its register and DeiT III models).
    public var positionsIncludePrefix = true
    /// LayerScale (timm `init_values`, as in DeiT III and CaiT): learned
    /// per-channel factors `ls1.gamma` and `ls2.gamma` on each block's
    /// attention and MLP outputs, starting at this value in a fresh model;
    /// nil for none.
    public var layerScaleInit: Double?
    /// Whether the qkv projection has a bias (timm `qkv_bias`).
    public var qkvBias = true
    public var labels: [String]
    public var preprocessing: Preprocessing

    public init(architecture: String, imageHeight: Int, imageWidth: Int, patchSize: Int, embedDimension: Int, depth: Int,
                heads: Int, mlpRatio: Double, inChannels: Int, classes: Int, labels: [String]? = nil,
                preprocessing: Preprocessing? = nil) {
        self.architecture = architecture
        self.imageHeight = imageHeight
        self.imageWidth = imageWidth
        self.patchSize = patchSize
        self.embedDimension = embedDimension
        self.depth = depth
        self.heads = heads
        self.mlpRatio = mlpRatio
        self.inChannels = inChannels
        self.classes = classes
        self.labels = labels ?? (0..<classes).map(String.init)
        self.preprocessing = preprocessing ?? Preprocessing(
            inputSize: [inChannels, imageHeight, imageWidth], cropFraction: 0.875, interpolation: .bicubic,
            mean: inChannels == 3 ? Preprocessing.imagenetMean : [0.5], std: inChannels == 3 ? Preprocessing.imagenetStd : [0.5])
    }

    public var gridRows: Int { imageHeight / patchSize }
    public var gridColumns: Int { imageWidth / patchSize }
    public var patchCount: Int { gridRows * gridColumns }
    /// CLS (if any) and the register tokens, which come before the patches.
    public var prefixTokenCount: Int { (classToken ? 1 : 0) + registerTokens }
    /// Sequence length with the prefix tokens.
    public var tokenCount: Int { patchCount + prefixTokenCount }
    /// Blocks after which a Scorer may read and tokens be pruned: at least
    /// one block before the cut (the cls-attention policy reads its
    /// attention) and one after it.
    public var scorerLayers: Range<Int> { 1..<depth }
    /// Where a Scorer reads unless told otherwise: about a quarter of the depth.
    public var defaultScorerLayer: Int { max(1, depth / 4) }
    /// Rows of the position embedding.
    public var positionCount: Int { positionsIncludePrefix ? tokenCount : patchCount }
    /// timm's `int(dim * mlp_ratio)`, truncated as Python does: 896 × 2.572
    /// = 2304.5 gives 2304 (timm's `vit_so150m_*`), not 2305.
    public var hiddenDimension: Int { Int(Double(embedDimension) * mlpRatio) }
    public var headDimension: Int { embedDimension / heads }
    /// Channels the patch embedding reads: the stem's last width, or the image's.
    public var patchInputChannels: Int { stemWidths.last ?? inChannels }
    /// Values in one patch: its pixels across the channels the embedding reads.
    public var patchValues: Int { patchInputChannels * patchSize * patchSize }
    /// Values the projection to the token width reads per patch: the hidden
    /// layer's width, or the patch's own values.
    public var patchProjectionInputs: Int { patchHiddenWidth > 0 ? patchHiddenWidth : patchValues }
    /// Input and output channels of each stem convolution.
    public var stemConvolutions: [(inputs: Int, outputs: Int)] { Array(zip([inChannels] + stemWidths, stemWidths)) }
    /// Whether the final norm runs after pooling (`finalNormAfterPool`,
    /// resolved as timm does).
    public var headNormAfterPool: Bool { finalNormAfterPool ?? (globalPool == .avg) }
    /// The state-dict prefix of the final norm.
    public var headNormName: String { headNormAfterPool ? "fc_norm" : "norm" }

    /// Width and heads of each size timm registers at patch 16.
    private static let sizes: [String: (width: Int, heads: Int)] = [
        "tiny": (192, 3), "small": (384, 6), "medium": (512, 8), "base": (768, 12),
    ]
    /// The families known by name and the sizes each registers at 224.
    private static let families: [(name: String, sizes: [String])] = [
        ("deit", ["tiny", "small", "base"]), ("deit3", ["small", "medium", "base"]), ("vit", ["tiny", "small", "base"]),
    ]

    /// Architectures known by name (timm registrations, patch 16 at 224).
    public static func known(_ name: String) -> ViTConfig? {
        for family in families {
            for size in family.sizes where name == "\(family.name)_\(size)_patch16_224" {
                // timm's DeiT and DeiT III weights use ImageNet statistics,
                // the AugReg ViT weights mean = std = 0.5; all crop 0.9.
                let statistics = family.name == "vit"
                    ? (mean: [Float](repeating: 0.5, count: 3), std: [Float](repeating: 0.5, count: 3))
                    : (mean: Preprocessing.imagenetMean, std: Preprocessing.imagenetStd)
                let (width, heads) = sizes[size]!
                var config = ViTConfig(architecture: name, imageHeight: 224, imageWidth: 224, patchSize: 16, embedDimension: width,
                                       depth: 12, heads: heads, mlpRatio: 4, inChannels: 3, classes: 1000,
                                       preprocessing: Preprocessing(inputSize: [3, 224, 224], cropFraction: 0.9, interpolation: .bicubic,
                                                                    mean: statistics.mean, std: statistics.std))
                if family.name == "deit3" {
                    // DeiT III: positions for the patches only, LayerScale from 1e-6.
                    config.positionsIncludePrefix = false
                    config.layerScaleInit = 1e-6
                }
                return config
            }
        }
        return nil
    }

    /// Names accepted without `model_args`.
    public static let knownArchitectures: [String] = families.flatMap { family in
        family.sizes.map { "\(family.name)_\($0)_patch16_224" }
    }

    /// Problems that make the shape unusable, or nil.
    public var inconsistency: String? {
        if imageHeight <= 0 || imageWidth <= 0 || patchSize <= 0 || embedDimension <= 0 || depth <= 0 || heads <= 0 || inChannels <= 0 || classes <= 0 {
            return "sizes must be positive"
        }
        if imageHeight % patchSize != 0 || imageWidth % patchSize != 0 {
            return "patch size \(patchSize) does not divide image size \(imageHeight)×\(imageWidth)"
        }
        if stemWidths.contains(where: { $0 <= 0 }) { return "stem widths must be positive" }
        if patchHiddenWidth < 0 { return "the patch hidden width must not be negative" }
        if registerTokens < 0 { return "the register token count must not be negative" }
        if let layerScaleInit, !layerScaleInit.isFinite { return "the LayerScale start value must be finite" }
        if !classToken && globalPool == .token { return "a model without a class token needs global_pool \"avg\"" }
        if embedDimension % heads != 0 { return "head count \(heads) does not divide width \(embedDimension)" }
        if !(mlpRatio > 0) { return "mlp_ratio must be positive" }
        if labels.count != classes { return "\(labels.count) label names for \(classes) classes" }
        return preprocessing.inconsistency(channels: inChannels)
    }
}
