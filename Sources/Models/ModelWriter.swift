import Formats
import Foundation

/// Writes a ViT as a hub-layout folder that timm can also load
/// (`timm.create_model(..., pretrained_cfg_overlay=dict(file=...))` or
/// `load_checkpoint`): config.json with `model_args`, and model.safetensors.
public enum ModelWriter {
    public static func write(_ model: VisionTransformer, to folder: String) throws {
        let config = model.config
        let preprocessing = config.preprocessing
        let arguments: [String: JSONValue] = [
            "img_size": .array([.integer(config.imageHeight), .integer(config.imageWidth)]),
            "patch_size": .integer(config.patchSize),
            "embed_dim": .integer(config.embedDimension),
            "depth": .integer(config.depth),
            "num_heads": .integer(config.heads),
            "mlp_ratio": .number(config.mlpRatio),
            "in_chans": .integer(config.inChannels),
            "num_classes": .integer(config.classes),
            "global_pool": .string(config.globalPool.rawValue),
        ]
        let pretrained: [String: JSONValue] = [
            "input_size": .array(preprocessing.inputSize.map { .integer($0) }),
            "crop_pct": .number(preprocessing.cropFraction),
            "crop_mode": .string("center"),
            "interpolation": .string(preprocessing.interpolation.rawValue),
            "mean": JSONValue.floats(preprocessing.mean),
            "std": JSONValue.floats(preprocessing.std),
            "num_classes": .integer(config.classes),
            "first_conv": .string("patch_embed.proj"),
            "classifier": .string("head"),
        ]
        let document: JSONValue = .object([
            "architecture": .string(config.architecture),
            "num_classes": .integer(config.classes),
            "num_features": .integer(config.embedDimension),
            "global_pool": .string(config.globalPool.rawValue),
            "model_args": .object(arguments),
            "pretrained_cfg": .object(pretrained),
            "label_names": .array(config.labels.map { .string($0) }),
        ])
        try JSONFile.write(document, to: folder + "/config.json")
        try Safetensors.write(model.parameters.names.map { ($0, model.parameters[$0]!) }, to: folder + "/model.safetensors")
    }
}
