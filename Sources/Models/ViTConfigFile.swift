import Formats
import Foundation

/// Reads a timm `config.json` (as `save_for_hf` writes it) into a ViTConfig.
///
/// Known architecture names need nothing else; any other name must carry
/// `model_args`. `num_classes` comes from the top level, labels from
/// `label_names`, preprocessing from `pretrained_cfg`.
public enum ViTConfigFile {
    public static func read(_ path: String) throws -> ViTConfig {
        let root = try JSONFile.read(path)
        func fail(_ problem: String) -> FileError { FileError(path: path, problem: problem) }
        guard case .object(let fields) = root else { throw fail("config must be a JSON object") }
        guard let architecture = fields["architecture"]?.stringValue else { throw fail("missing \"architecture\"") }
        guard architecture != ConvNetConfig.architectureName else {
            throw fail("a convolutional classifier (\(architecture)), not a ViT; it serves as `glimpse train vit --teacher`")
        }

        var config: ViTConfig
        if let arguments = fields["model_args"] {
            guard case .object(let args) = arguments else { throw fail("\"model_args\" must be an object") }
            config = try fromModelArguments(args, architecture: architecture, topLevel: fields, fail: fail)
        } else if let known = ViTConfig.known(architecture) {
            config = known
            if let classes = fields["num_classes"] {
                guard let value = classes.intValue, value > 0 else { throw fail("\"num_classes\" must be a positive integer") }
                config = ViTConfig(architecture: architecture, imageHeight: known.imageHeight, imageWidth: known.imageWidth,
                                   patchSize: known.patchSize, embedDimension: known.embedDimension, depth: known.depth,
                                   heads: known.heads, mlpRatio: known.mlpRatio, inChannels: known.inChannels,
                                   classes: value, preprocessing: known.preprocessing)
            }
        } else {
            throw fail("unknown architecture '\(architecture)' and no \"model_args\" to build it from (known: \(ViTConfig.knownArchitectures.joined(separator: ", ")))")
        }

        if let names = try labelNames(fields, classes: config.classes, fail: fail) { config.labels = names }
        if let pretrained = fields["pretrained_cfg"] {
            guard case .object(let settings) = pretrained else { throw fail("\"pretrained_cfg\" must be an object") }
            config.preprocessing = try preprocessing(settings, defaults: config.preprocessing, fail: fail)
        }
        if let problem = config.inconsistency { throw fail(problem) }
        return config
    }

    private static func fromModelArguments(_ args: [String: JSONValue], architecture: String, topLevel: [String: JSONValue],
                                           fail: (String) -> FileError) throws -> ViTConfig {
        func integer(_ key: String, default fallback: Int? = nil) throws -> Int {
            guard let value = args[key] else {
                if let fallback { return fallback }
                throw fail("\"model_args\" lacks \"\(key)\"")
            }
            guard let number = value.intValue else { throw fail("\"model_args.\(key)\" must be an integer") }
            return number
        }
        func pair(_ key: String) throws -> (Int, Int) {
            guard let value = args[key] else { throw fail("\"model_args\" lacks \"\(key)\"") }
            if let single = value.intValue { return (single, single) }
            if case .array(let items) = value, items.count == 2, let first = items[0].intValue, let second = items[1].intValue {
                return (first, second)
            }
            throw fail("\"model_args.\(key)\" must be an integer or a pair of integers")
        }
        // Options that change the architecture beyond what the engine implements.
        let unsupported: [(String, (JSONValue) -> Bool)] = [
            ("global_pool", { $0.stringValue.flatMap(GlobalPool.init(rawValue:)) != nil }),
            ("qk_norm", { $0.boolValue == false }),
            ("pre_norm", { $0.boolValue == false }),
            ("dynamic_img_size", { $0.boolValue == false }),
        ]
        for (key, accepted) in unsupported {
            if let value = args[key], !accepted(value) {
                throw fail("\"model_args.\(key)\" = \(value.serialized) is not supported (only the plain timm ViT is)")
            }
        }
        let globalPool = args["global_pool"]?.stringValue.flatMap(GlobalPool.init(rawValue:)) ?? .token
        let (height, width) = try pair("img_size")
        let (patchHeight, patchWidth) = try pair("patch_size")
        guard patchHeight == patchWidth else { throw fail("non-square patches \(patchHeight)×\(patchWidth) are not supported") }
        var mlpRatio = 4.0
        if let ratio = args["mlp_ratio"] {
            guard let value = ratio.doubleValue else { throw fail("\"model_args.mlp_ratio\" must be a number") }
            mlpRatio = value
        }
        let classes: Int
        if let top = topLevel["num_classes"] {
            guard let value = top.intValue else { throw fail("\"num_classes\" must be an integer") }
            classes = value
        } else {
            classes = try integer("num_classes", default: 1000)
        }
        var config = ViTConfig(architecture: architecture, imageHeight: height, imageWidth: width, patchSize: patchHeight,
                               embedDimension: try integer("embed_dim"), depth: try integer("depth"), heads: try integer("num_heads"),
                               mlpRatio: mlpRatio, inChannels: try integer("in_chans", default: 3), classes: classes)
        config.globalPool = globalPool
        if let widths = args["stem_widths"] {
            guard case .array(let items) = widths, let values = Optional(items.compactMap(\.intValue)), values.count == items.count else {
                throw fail("\"model_args.stem_widths\" must be an array of integers")
            }
            config.stemWidths = values
        }
        config.registerTokens = try integer("reg_tokens", default: 0)
        /// A true/false argument, nil when absent (or null where null is timm's default).
        func flag(_ key: String, nullable: Bool = false) throws -> Bool? {
            guard let value = args[key], !(nullable && value == .null) else { return nil }
            guard let flag = value.boolValue else {
                throw fail("\"model_args.\(key)\" must be true\(nullable ? ", false or null" : " or false")")
            }
            return flag
        }
        if let noEmbedClass = try flag("no_embed_class") { config.positionsIncludePrefix = !noEmbedClass }
        config.finalNormAfterPool = try flag("fc_norm", nullable: true)
        config.classToken = try flag("class_token") ?? true
        config.qkvBias = try flag("qkv_bias") ?? true
        // timm builds LayerScale only for a non-zero start value.
        if let start = args["init_values"], start != .null {
            guard let value = start.doubleValue else { throw fail("\"model_args.init_values\" must be a number or null") }
            config.layerScaleInit = value == 0 ? nil : value
        }
        config.patchHiddenWidth = try integer("patch_hidden_width", default: 0)
        return config
    }

    /// `label_names`, when present, checked against the class count.
    static func labelNames(_ fields: [String: JSONValue], classes: Int, fail: (String) -> FileError) throws -> [String]? {
        guard let labels = fields["label_names"] else { return nil }
        guard case .array(let values) = labels, let names = Optional(values.compactMap(\.stringValue)),
              names.count == values.count else { throw fail("\"label_names\" must be an array of strings") }
        guard names.count == classes else { throw fail("\(names.count) label names for \(classes) classes") }
        return names
    }

    /// `pretrained_cfg` over `defaults`, whose input size is the model's.
    static func preprocessing(_ settings: [String: JSONValue], defaults: Preprocessing,
                              fail: (String) -> FileError) throws -> Preprocessing {
        var result = defaults
        if let size = settings["input_size"] {
            guard case .array(let items) = size, items.count == 3, let values = Optional(items.compactMap(\.intValue)),
                  values.count == 3 else { throw fail("\"pretrained_cfg.input_size\" must be [C, H, W]") }
            guard values == defaults.inputSize else {
                throw fail("\"pretrained_cfg.input_size\" \(values) does not match the model input \(defaults.inputSize)")
            }
            result.inputSize = values
        }
        if let crop = settings["crop_pct"] {
            guard let value = crop.doubleValue else { throw fail("\"pretrained_cfg.crop_pct\" must be a number") }
            result.cropFraction = value
        }
        if let interpolation = settings["interpolation"] {
            guard let name = interpolation.stringValue, let value = Preprocessing.Interpolation(rawValue: name) else {
                throw fail("\"pretrained_cfg.interpolation\" must be bilinear, bicubic or nearest")
            }
            result.interpolation = value
        }
        for key in ["mean", "std"] {
            guard let entry = settings[key] else { continue }
            guard case .array(let items) = entry, let values = Optional(items.compactMap(\.doubleValue)),
                  values.count == items.count else { throw fail("\"pretrained_cfg.\(key)\" must be an array of numbers") }
            if key == "mean" { result.mean = values.map(Float.init) } else { result.std = values.map(Float.init) }
        }
        return result
    }
}
