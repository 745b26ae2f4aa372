import Autodiff
import Foundation
import Kernels

/// What a caller wants to observe inside one transformer block.
public struct BlockTaps: Sendable {
    /// Replace the output of `norm1` by a tracked leaf (Grad-CAM's target layer).
    public var watchNorm1 = false
    /// Keep the attention weights [B, H, N, N].
    public var keepAttention = false

    public init(watchNorm1: Bool = false, keepAttention: Bool = false) {
        self.watchNorm1 = watchNorm1
        self.keepAttention = keepAttention
    }
}

/// One block's output and whatever its taps captured.
public struct BlockOutput {
    public let tokens: Variable
    /// The watched `norm1` output when `watchNorm1` was set.
    public let norm1: Variable?
    public let attention: Tensor?
}

/// A Vision Transformer with timm `VisionTransformer` semantics: pre-norm
/// blocks, LayerNorm eps 1e-6, exact GELU, qkv laid out q|k|v then heads,
/// a CLS token unless `class_token` is off (then any register tokens),
/// learned position embedding, optional LayerScale on both residual
/// branches, and the head on norm(x)[:, 0] (`global_pool` "token") or on
/// fc_norm(mean of the patch tokens) ("avg"; with `fc_norm: false`, the
/// mean of the normed patch tokens).
public final class VisionTransformer: ImageClassifier, @unchecked Sendable {
    public let config: ViTConfig
    public let parameters: Parameters
    private let blockNames: [BlockNames]

    /// State-dict names of one block's tensors, built once.
    struct BlockNames {
        let norm1Weight, norm1Bias, qkvWeight, qkvBias, projWeight, projBias: String
        let norm2Weight, norm2Bias, fc1Weight, fc1Bias, fc2Weight, fc2Bias: String
        let attentionScale, mlpScale: String

        init(_ index: Int) {
            let prefix = "blocks.\(index)."
            norm1Weight = prefix + "norm1.weight"
            norm1Bias = prefix + "norm1.bias"
            qkvWeight = prefix + "attn.qkv.weight"
            qkvBias = prefix + "attn.qkv.bias"
            projWeight = prefix + "attn.proj.weight"
            projBias = prefix + "attn.proj.bias"
            norm2Weight = prefix + "norm2.weight"
            norm2Bias = prefix + "norm2.bias"
            fc1Weight = prefix + "mlp.fc1.weight"
            fc1Bias = prefix + "mlp.fc1.bias"
            fc2Weight = prefix + "mlp.fc2.weight"
            fc2Bias = prefix + "mlp.fc2.bias"
            attentionScale = prefix + "ls1.gamma"
            mlpScale = prefix + "ls2.gamma"
        }
    }

    public init(config: ViTConfig, parameters: Parameters) {
        self.config = config
        self.parameters = parameters
        blockNames = (0..<config.depth).map(BlockNames.init)
    }

    public var classCount: Int { config.classes }
    public var preprocessing: Preprocessing { config.preprocessing }

    /// Every tensor the model needs, with its shape.
    public static func expectedShapes(_ config: ViTConfig) -> [(String, [Int])] {
        let d = config.embedDimension, hidden = config.hiddenDimension
        var shapes: [(String, [Int])] = config.classToken ? [("cls_token", [1, 1, d])] : []
        if config.registerTokens > 0 { shapes += [("reg_token", [1, config.registerTokens, d])] }
        shapes += [("pos_embed", [1, config.positionCount, d])]
        for (index, convolution) in config.stemConvolutions.enumerated() {
            shapes += [(stemName(index) + ".weight", [convolution.outputs, convolution.inputs, 3, 3]),
                       (stemName(index) + ".bias", [convolution.outputs])]
        }
        let (channels, patch, hiddenWidth) = (config.patchInputChannels, config.patchSize, config.patchHiddenWidth)
        if hiddenWidth > 0 {
            shapes += [("patch_embed.hidden.weight", [hiddenWidth, channels, patch, patch]),
                       ("patch_embed.hidden.bias", [hiddenWidth]),
                       ("patch_embed.proj.weight", [d, hiddenWidth, 1, 1])]
        } else {
            shapes += [("patch_embed.proj.weight", [d, channels, patch, patch])]
        }
        shapes += [("patch_embed.proj.bias", [d])]
        for index in 0..<config.depth {
            let names = BlockNames(index)
            shapes += [(names.norm1Weight, [d]), (names.norm1Bias, [d]), (names.qkvWeight, [3 * d, d])]
            if config.qkvBias { shapes += [(names.qkvBias, [3 * d])] }
            shapes += [(names.projWeight, [d, d]), (names.projBias, [d])]
            if config.layerScaleInit != nil { shapes += [(names.attentionScale, [d])] }
            shapes += [
                (names.norm2Weight, [d]), (names.norm2Bias, [d]),
                (names.fc1Weight, [hidden, d]), (names.fc1Bias, [hidden]),
                (names.fc2Weight, [d, hidden]), (names.fc2Bias, [d]),
            ]
            if config.layerScaleInit != nil { shapes += [(names.mlpScale, [d])] }
        }
        shapes += [(config.headNormName + ".weight", [d]), (config.headNormName + ".bias", [d]),
                   ("head.weight", [config.classes, d]), ("head.bias", [config.classes])]
        return shapes
    }

    /// State-dict prefix of the stem's convolution `index`.
    static func stemName(_ index: Int) -> String { "stem.\(index)" }

    private func parameter(_ name: String) -> Variable { parameters.variable(name) }

    /// Stem, patch embedding, prefix tokens and position embedding:
    /// images [B, C, H, W] → tokens [B, K+P, D], K = CLS + registers.
    public func embed(_ images: Variable) -> Variable {
        let d = config.embedDimension
        var features = images
        for index in config.stemWidths.indices {
            let name = Self.stemName(index)
            features = gelu(conv2d(features, weight: parameter(name + ".weight"), bias: parameter(name + ".bias"), padding: (1, 1)))
        }
        var patches = patchify(features, patch: config.patchSize)
        if config.patchHiddenWidth > 0 {
            let hidden = reshape(parameter("patch_embed.hidden.weight"), [config.patchHiddenWidth, config.patchValues])
            patches = gelu(linear(patches, weight: hidden, bias: parameter("patch_embed.hidden.bias")))
        }
        let projection = reshape(parameter("patch_embed.proj.weight"), [d, config.patchProjectionInputs])
        let embedded = linear(patches, weight: projection, bias: parameter("patch_embed.proj.bias"))
        // timm `no_embed_class`: positions go to the patches before the prefix joins them.
        guard config.positionsIncludePrefix else { return withPrefix(add(embedded, broadcasting: parameter("pos_embed"))) }
        return add(withPrefix(embedded), broadcasting: parameter("pos_embed"))
    }

    /// CLS (if any) and the registers in front of patch tokens [B, P, D].
    private func withPrefix(_ patches: Variable) -> Variable {
        let registered = config.registerTokens > 0 ? prependTokens(parameter("reg_token"), to: patches) : patches
        return config.classToken ? prependTokens(parameter("cls_token"), to: registered) : registered
    }

    /// The patch tokens [B, P, D] of a full sequence [B, K+P, D].
    public func patchTokens(_ tokens: Variable) -> Variable {
        let prefix = config.prefixTokenCount
        return gatherTokens(tokens, indices: Array(repeating: Array(prefix..<(prefix + config.patchCount)), count: tokens.shape[0]))
    }

    /// The prefix tokens and, for each item b, the patch tokens at grid
    /// indices `kept[b]` of a full sequence [B, K+P, D]: the physical gather
    /// of token pruning.
    public func keepingPrefix(_ tokens: Variable, patches kept: [[Int]]) -> Variable {
        let prefix = config.prefixTokenCount
        return gatherTokens(tokens, indices: kept.map { Array(0..<prefix) + $0.map { $0 + prefix } })
    }

    /// Block `index` on tokens [B, N, D] (N may be shorter after pruning).
    public func block(_ index: Int, _ x: Variable, taps: BlockTaps = BlockTaps()) -> BlockOutput {
        let names = blockNames[index]
        let epsilon = config.layerNormEpsilon
        var normed = layerNorm(x, weight: parameter(names.norm1Weight), bias: parameter(names.norm1Bias), epsilon: epsilon)
        if taps.watchNorm1 { normed = normed.detached(requiresGradient: true) }
        let qkv = linear(normed, weight: parameter(names.qkvWeight), bias: config.qkvBias ? parameter(names.qkvBias) : nil)
        let attention = selfAttention(qkv, heads: config.heads, keepProbabilities: taps.keepAttention)
        let attended = residual(x, plus: attention.output, weight: names.projWeight, bias: names.projBias,
                                scale: names.attentionScale)
        let normed2 = layerNorm(attended, weight: parameter(names.norm2Weight), bias: parameter(names.norm2Bias), epsilon: epsilon)
        let hidden = gelu(linear(normed2, weight: parameter(names.fc1Weight), bias: parameter(names.fc1Bias)))
        let output = residual(attended, plus: hidden, weight: names.fc2Weight, bias: names.fc2Bias, scale: names.mlpScale)
        return BlockOutput(tokens: output, norm1: taps.watchNorm1 ? normed : nil,
                           attention: taps.keepAttention ? attention.probabilities : nil)
    }

    /// x + the linear layer `weight`, `bias` on `input`, times the LayerScale
    /// factors `scale` if the model has LayerScale. Without LayerScale the
    /// skip connection rides inside the product.
    private func residual(_ x: Variable, plus input: Variable, weight: String, bias: String, scale: String) -> Variable {
        guard config.layerScaleInit != nil else {
            return linear(input, weight: parameter(weight), bias: parameter(bias), adding: x)
        }
        return add(x, multiply(linear(input, weight: parameter(weight), bias: parameter(bias)), broadcasting: parameter(scale)))
    }

    /// Pooling, its norm and the head: tokens [B, N, D] (the prefix first;
    /// after pruning the patch tokens are the kept ones) → logits [B, classes].
    public func classify(_ x: Variable) -> Variable {
        let (batch, tokens) = (x.shape[0], x.shape[1])
        let weight = parameter(config.headNormName + ".weight"), bias = parameter(config.headNormName + ".bias")
        let pooled: Variable
        switch config.globalPool {
        case .token:
            let normed = layerNorm(x, weight: weight, bias: bias, epsilon: config.layerNormEpsilon)
            pooled = reshape(gatherTokens(normed, indices: Array(repeating: [0], count: batch)), [batch, config.embedDimension])
        case .avg:
            let patches = gatherTokens(x, indices: Array(repeating: Array(config.prefixTokenCount..<tokens), count: batch))
            pooled = config.headNormAfterPool
                ? layerNorm(meanTokens(patches), weight: weight, bias: bias, epsilon: config.layerNormEpsilon)
                : meanTokens(layerNorm(patches, weight: weight, bias: bias, epsilon: config.layerNormEpsilon))
        }
        return linear(pooled, weight: parameter("head.weight"), bias: parameter("head.bias"))
    }

    /// Dense forward: images [B, C, H, W] → logits [B, classes].
    public func logits(_ images: Variable) -> Variable {
        var tokens = embed(images)
        for index in 0..<config.depth { tokens = block(index, tokens).tokens }
        return classify(tokens)
    }

    /// Multiply-adds of one image's forward pass when only the first
    /// `denseBlocks` blocks see every token and the rest the prefix and
    /// `patchesAfter` patches (the fvcore convention: one multiply-add
    /// counts as one FLOP).
    public func multiplyAdds(denseBlocks: Int? = nil, patchesAfter: Int? = nil) -> Double {
        let d = Double(config.embedDimension), hidden = Double(config.hiddenDimension)
        let pixels = Double(config.imageHeight * config.imageWidth)
        var total = config.stemConvolutions.reduce(0) { $0 + pixels * Double($1.inputs * $1.outputs * 9) }
        // Without a hidden layer its width is 0 and the projection reads the patch values.
        total += Double(config.patchCount * (config.patchValues * config.patchHiddenWidth + config.patchProjectionInputs * config.embedDimension))
        for index in 0..<config.depth {
            let pruned = denseBlocks.map { index >= $0 } ?? false
            let n = Double(pruned ? config.prefixTokenCount + (patchesAfter ?? config.patchCount) : config.tokenCount)
            total += n * d * (3 * d + d + 2 * hidden) + 2 * n * n * d
        }
        return total + d * Double(config.classes)
    }
}

/// How a fresh ViT's attention weights start.
public enum AttentionInitialisation: String, Sendable, CaseIterable {
    /// timm's truncated normal (std 0.02), like every other linear weight.
    case timm
    /// Mimetic initialisation: products of the weights that resemble a
    /// trained ViT's (see `VisionTransformer.mimeticAttention`).
    case mimetic
}

extension VisionTransformer {
    /// Fresh weights as timm initialises them: truncated normal (std 0.02)
    /// for linear weights, zero biases, unit norms, PyTorch's default
    /// U(±1/√fan-in) for the patch-embedding projection, He-uniform stem
    /// convolutions and patch hidden layer with zero biases, LayerScale
    /// factors at the configured start value; the position embedding
    /// starts from 2-D sine-cosine values (MAE-style) so that a model
    /// trained from scratch on little data knows token neighbourhoods from
    /// the first step.
    /// `attention: .mimetic` then re-draws each block's attention weights
    /// (see `AttentionInitialisation`).
    public static func initialParameters(_ config: ViTConfig, seed: UInt64,
                                         attention: AttentionInitialisation = .timm) -> Parameters {
        var generator = SeededGenerator(seed: seed)
        let parameters = Parameters()
        for (name, shape) in expectedShapes(config) {
            let tensor: Tensor
            if name == "pos_embed" {
                tensor = sineCosinePositions(config)
            } else if name.hasPrefix("patch_embed.proj.") {
                let bound = 1 / Float(config.patchProjectionInputs).squareRoot()
                tensor = Tensor.uniform(shape, in: -bound...bound, using: &generator)
            } else if (name.hasPrefix("stem.") || name.hasPrefix("patch_embed.hidden.")) && name.hasSuffix(".weight") {
                // He-uniform: PyTorch's default would leave the GELU output of the stem (or of the
                // patch hidden layer), and with it the tokens, well below the position embedding's
                // scale, and learning slow.
                let bound = (6 / Float(shape.dropFirst().reduce(1, *))).squareRoot()
                tensor = Tensor.uniform(shape, in: -bound...bound, using: &generator)
            } else if name.hasSuffix("norm1.weight") || name.hasSuffix("norm2.weight") || name.hasSuffix("norm.weight") {
                tensor = Tensor(shape: shape, repeating: 1)
            } else if name.hasSuffix(".gamma"), let start = config.layerScaleInit {
                tensor = Tensor(shape: shape, repeating: Float(start))
            } else if name.hasSuffix(".bias") {
                tensor = Tensor(zeros: shape)
            } else {
                tensor = Tensor.truncatedNormal(shape, std: 0.02, using: &generator)
            }
            parameters.set(name, tensor)
        }
        if attention == .mimetic { mimeticAttention(config, parameters, seed: seed) }
        return parameters
    }

    /// Mimetic initialisation (Trockman & Kolter, 2023): each head's
    /// W_qᵀ·W_k starts near 0.7·(Z + I) and each block's W_proj·W_v near
    /// 0.4·(Z − I), Z random with entries of variance 1/D, the products
    /// trained ViTs show. With the sine-cosine position embedding the
    /// first steps then attend locally instead of uniformly; the paper
    /// reports faster learning for small ViTs on small data sets (on
    /// Fashion-MNIST it changed little: see docs/FASHION_VIT.md).
    static func mimeticAttention(_ config: ViTConfig, _ parameters: Parameters, seed: UInt64) {
        let d = config.embedDimension, headWidth = d / config.heads
        // A generator of its own, so every other tensor keeps its timm draw.
        var generator = SeededGenerator(seed: seed ^ 0x6D69_6D65_7469_63)
        func nearIdentity(scale: Float, sign: Float) -> [Float] {
            (0..<(d * d)).map { index in
                scale * (generator.nextNormal() / Float(d).squareRoot() + (index % (d + 1) == 0 ? sign : 0))
            }
        }
        func factors(_ matrix: [Float], rank: Int) -> (leftTransposed: [Float], right: [Float]) {
            guard let factors = SingularValues.balancedFactors(matrix, size: d, rank: rank) else {
                preconditionFailure("LAPACK's SVD did not converge on a random \(d)×\(d) matrix")
            }
            return factors
        }
        for block in 0..<config.depth {
            let names = BlockNames(block)
            let qkv = parameters[names.qkvWeight]!, projection = parameters[names.projWeight]!
            // Rows of qkv.weight from `row` on: q, k and v each take d rows, a head headWidth of them.
            func place(_ rows: [Float], fromRow row: Int) {
                rows.withUnsafeBufferPointer { (qkv.pointer + row * d).update(from: $0.baseAddress!, count: $0.count) }
            }
            for head in 0..<config.heads {
                let (query, key) = factors(nearIdentity(scale: 0.7, sign: 1), rank: headWidth)
                place(query, fromRow: head * headWidth)
                place(key, fromRow: d + head * headWidth)
            }
            let (output, value) = factors(nearIdentity(scale: 0.4, sign: -1), rank: d)
            place(value, fromRow: 2 * d)
            output.withUnsafeBufferPointer { Elementwise.transpose($0.baseAddress!, projection.pointer, batch: 1, rows: d, columns: d) }
        }
    }

    /// [1, positions, D]: zeros for the prefix tokens if the table has rows
    /// for them, then per patch sin/cos of its row in the first half of the
    /// channels and of its column in the second half.
    static func sineCosinePositions(_ config: ViTConfig) -> Tensor {
        let d = config.embedDimension
        let table = Tensor(zeros: [1, config.positionCount, d])
        let firstPatch = config.positionsIncludePrefix ? config.prefixTokenCount : 0
        let quarter = d / 4
        guard quarter > 0 else { return table }
        for row in 0..<config.gridRows {
            for column in 0..<config.gridColumns {
                let token = table.pointer + (firstPatch + row * config.gridColumns + column) * d
                for (half, position) in [row, column].enumerated() {
                    for index in 0..<quarter {
                        let frequency = 1 / Foundation.pow(10000, Double(index) / Double(quarter))
                        token[half * 2 * quarter + index] = Float(sin(Double(position) * frequency))
                        token[half * 2 * quarter + quarter + index] = Float(cos(Double(position) * frequency))
                    }
                }
            }
        }
        return table
    }
}
