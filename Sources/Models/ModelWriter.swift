import Formats
import Foundation

/// Writes models as hub-layout folders. A ViT's folder without a stem or a
/// patch hidden layer is one timm can also load (`timm.create_model(...,
/// pretrained_cfg_overlay=dict(file=...))` or `load_checkpoint`): config.json
/// with `model_args`, and model.safetensors. Those two are Glimpse's own
/// `model_args.stem_widths` and `model_args.patch_hidden_width`, which timm lacks.
public enum ModelWriter {
    public static func write(_ model: VisionTransformer, to folder: String) throws {
        let config = model.config
        var arguments: [String: JSONValue] = [
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
        if !config.stemWidths.isEmpty { arguments["stem_widths"] = .array(config.stemWidths.map { .integer($0) }) }
        if config.patchHiddenWidth > 0 { arguments["patch_hidden_width"] = .integer(config.patchHiddenWidth) }
        if config.registerTokens > 0 { arguments["reg_tokens"] = .integer(config.registerTokens) }
        if !config.positionsIncludePrefix { arguments["no_embed_class"] = .bool(true) }
        if let start = config.layerScaleInit { arguments["init_values"] = .number(start) }
        if !config.qkvBias { arguments["qkv_bias"] = .bool(false) }
        if !config.classToken { arguments["class_token"] = .bool(false) }
        if let after = config.finalNormAfterPool { arguments["fc_norm"] = .bool(after) }
        let firstConvolution = config.stemWidths.isEmpty
            ? (config.patchHiddenWidth > 0 ? "patch_embed.hidden" : "patch_embed.proj") : VisionTransformer.stemName(0)
        let document: JSONValue = .object([
            "architecture": .string(config.architecture),
            "num_classes": .integer(config.classes),
            "num_features": .integer(config.embedDimension),
            "global_pool": .string(config.globalPool.rawValue),
            "model_args": .object(arguments),
            "pretrained_cfg": pretrainedConfig(config.preprocessing, classes: config.classes, firstConv: firstConvolution),
            "label_names": .array(config.labels.map { .string($0) }),
        ])
        try JSONFile.write(document, to: folder + "/config.json")
        try writeWeights(model.parameters, to: folder)
    }

    /// A convolutional classifier: config.json (architecture `glimpse_cnn`) and model.safetensors.
    public static func write(_ model: ConvNet, to folder: String) throws {
        let config = model.config
        let document: JSONValue = .object([
            "architecture": .string(ConvNetConfig.architectureName),
            "num_classes": .integer(config.classes),
            "model_args": .object([
                "img_size": .integer(config.imageSize),
                "in_chans": .integer(config.inChannels),
                "widths": .array(config.widths.map { .integer($0) }),
            ]),
            "pretrained_cfg": pretrainedConfig(config.preprocessing, classes: config.classes, firstConv: "stages.0.conv"),
            "label_names": .array(config.labels.map { .string($0) }),
        ])
        try JSONFile.write(document, to: folder + "/config.json")
        try writeWeights(model.parameters, to: folder)
    }

    /// timm's `pretrained_cfg`: how images are prepared for the model.
    private static func pretrainedConfig(_ preprocessing: Preprocessing, classes: Int, firstConv: String) -> JSONValue {
        .object([
            "input_size": .array(preprocessing.inputSize.map { .integer($0) }),
            "crop_pct": .number(preprocessing.cropFraction),
            "crop_mode": .string("center"),
            "interpolation": .string(preprocessing.interpolation.rawValue),
            "mean": JSONValue.floats(preprocessing.mean),
            "std": JSONValue.floats(preprocessing.std),
            "num_classes": .integer(classes),
            "first_conv": .string(firstConv),
            "classifier": .string("head"),
        ])
    }

    private static func writeWeights(_ parameters: Parameters, to folder: String) throws {
        try Safetensors.write(parameters.names.map { ($0, parameters[$0]!) }, to: folder + "/model.safetensors")
    }
}
