import Autodiff
import Formats
import Kernels

/// Settings of a Scorer, stored in its safetensors metadata.
public struct ScorerConfig: Sendable, Equatable {
    /// The Scorer reads the tokens after this many blocks and pruning
    /// happens there.
    public var layer: Int
    public var inputDimension: Int
    public var hiddenDimension: Int

    public init(layer: Int, inputDimension: Int, hiddenDimension: Int) {
        self.layer = layer
        self.inputDimension = inputDimension
        self.hiddenDimension = hiddenDimension
    }

    public var metadata: [String: String] {
        ["format": "glimpse-scorer", "layer": String(layer), "input_dim": String(inputDimension),
         "hidden_dim": String(hiddenDimension)]
    }

    /// Reads the metadata written by `metadata`; nil names what is missing.
    public init?(metadata: [String: String]) {
        guard let layer = metadata["layer"].flatMap(Int.init),
              let input = metadata["input_dim"].flatMap(Int.init),
              let hidden = metadata["hidden_dim"].flatMap(Int.init),
              layer >= 0, input > 0, hidden > 1 else { return nil }
        self.init(layer: layer, inputDimension: input, hiddenDimension: hidden)
    }
}

/// Predicts each patch token's Grad-CAM from its features after block k
/// (SPEC §1.1). DynamicViT-style input: a per-token local projection next
/// to a projection mean-pooled over the image's tokens (global context),
/// then an MLP to one score in (0, 1).
public final class Scorer: @unchecked Sendable {
    public let config: ScorerConfig
    public let parameters: Parameters

    public init(config: ScorerConfig, parameters: Parameters) {
        self.config = config
        self.parameters = parameters
    }

    public static func expectedShapes(_ config: ScorerConfig) -> [(String, [Int])] {
        let d = config.inputDimension, h = config.hiddenDimension
        return [
            ("norm.weight", [d]), ("norm.bias", [d]),
            ("local.weight", [h, d]), ("local.bias", [h]),
            ("global.weight", [h, d]), ("global.bias", [h]),
            ("fc1.weight", [h, 2 * h]), ("fc1.bias", [h]),
            ("fc2.weight", [1, h]), ("fc2.bias", [1]),
        ]
    }

    /// Fresh weights (truncated normal 0.02, zero biases, unit norm).
    public static func initialParameters(_ config: ScorerConfig, seed: UInt64) -> Parameters {
        var generator = SeededGenerator(seed: seed)
        let parameters = Parameters()
        for (name, shape) in expectedShapes(config) {
            if name == "norm.weight" {
                parameters.set(name, Tensor(shape: shape, repeating: 1))
            } else if name.hasSuffix(".bias") {
                parameters.set(name, Tensor(zeros: shape))
            } else {
                parameters.set(name, Tensor.truncatedNormal(shape, std: 0.02, using: &generator))
            }
        }
        return parameters
    }

    /// Patch tokens [B, P, D] (CLS excluded) → scores [B, P] in (0, 1).
    public func scores(_ patches: Variable) -> Variable {
        let (batch, tokens) = (patches.shape[0], patches.shape[1])
        let p = parameters.variable
        let normed = layerNorm(patches, weight: p("norm.weight"), bias: p("norm.bias"), epsilon: 1e-6)
        let local = gelu(linear(normed, weight: p("local.weight"), bias: p("local.bias")))
        let global = meanTokens(gelu(linear(normed, weight: p("global.weight"), bias: p("global.bias"))))
        let hidden = gelu(linear(concatFeatures(local, global), weight: p("fc1.weight"), bias: p("fc1.bias")))
        let logits = linear(hidden, weight: p("fc2.weight"), bias: p("fc2.bias"))
        return reshape(sigmoid(logits), [batch, tokens])
    }

    /// Writes the weights and settings as a safetensors file (temp file + rename).
    public func save(to path: String) throws {
        try Safetensors.write(parameters.names.map { ($0, parameters[$0]!) }, metadata: config.metadata, to: path)
    }

    /// Multiply-adds of one image's scoring over `tokens` patch tokens.
    public func multiplyAdds(tokens: Int) -> Double {
        let d = Double(config.inputDimension), h = Double(config.hiddenDimension)
        return Double(tokens) * (2 * d * h + 2 * h * h + h)
    }
}
