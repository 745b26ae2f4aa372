import Formats
import Foundation
import Kernels

/// A ViT loaded from a folder in the Hugging Face hub layout:
/// `config.json` + `model.safetensors`, optionally `scorer.safetensors`.
public final class ViTModel: @unchecked Sendable {
    /// Folder name, or the embedded model's name.
    public let name: String
    public let path: String
    public let transformer: VisionTransformer
    public var scorer: Scorer?

    public init(name: String, path: String, transformer: VisionTransformer, scorer: Scorer?) {
        self.name = name
        self.path = path
        self.transformer = transformer
        self.scorer = scorer
    }

    public var config: ViTConfig { transformer.config }

    /// Packs the backbone's and the Scorer's matrices for the inference GEMM
    /// (`Parameters.prepareForInference`): for a model that is run, not trained.
    public func prepareForInference(kernel: PackedWeights.Kernel? = PackedWeights.Kernel.best) {
        transformer.parameters.prepareForInference(kernel: kernel)
        scorer?.parameters.prepareForInference(kernel: kernel)
    }

    /// Blocks that see every token before pruning: where the Scorer reads,
    /// or the default layer without one.
    public var pruningBlocks: Int { scorer?.config.layer ?? config.defaultScorerLayer }

    /// Loads a model folder; a bare name of an embedded model works too.
    public static func load(_ reference: String) throws -> ViTModel {
        let path = Assets.resolveModel(reference)
        let config = try ViTConfigFile.read(try ModelFolder.configFile(of: path))
        let weightsPath = path + "/model.safetensors"
        if !FileManager.default.fileExists(atPath: weightsPath),
           FileManager.default.fileExists(atPath: path + "/pytorch_model.bin") {
            throw FileError(path: weightsPath, problem: "missing; the folder has pytorch_model.bin, which is not read "
                                + "(timm: save_for_hf(..., safe_serialization=True))")
        }
        let weights = try SafetensorsFile(path: weightsPath)
        let parameters = try WeightLoader.load(weights, expected: VisionTransformer.expectedShapes(config))
        let transformer = VisionTransformer(config: config, parameters: parameters)
        let scorerPath = path + "/scorer.safetensors"
        let scorer = FileManager.default.fileExists(atPath: scorerPath) ? try loadScorer(scorerPath, for: config) : nil
        let name = URL(fileURLWithPath: path).standardizedFileURL.lastPathComponent
        return ViTModel(name: name, path: path, transformer: transformer, scorer: scorer)
    }

    static func loadScorer(_ path: String, for config: ViTConfig) throws -> Scorer {
        let file = try SafetensorsFile(path: path)
        guard let scorerConfig = ScorerConfig(metadata: file.metadata) else {
            throw FileError(path: path, problem: "missing or invalid scorer settings (layer, input_dim, hidden_dim) in the metadata")
        }
        guard scorerConfig.inputDimension == config.embedDimension else {
            throw FileError(path: path, problem: "scorer input width \(scorerConfig.inputDimension) does not match the model width \(config.embedDimension)")
        }
        guard config.scorerLayers.contains(scorerConfig.layer) else {
            throw FileError(path: path, problem: "scorer layer \(scorerConfig.layer) is outside 1..<\(config.depth)")
        }
        let parameters = try WeightLoader.load(file, expected: Scorer.expectedShapes(scorerConfig))
        return Scorer(config: scorerConfig, parameters: parameters)
    }

    /// Writes `scorer.safetensors` into the model folder (temp file + rename).
    public func saveScorer(_ scorer: Scorer) throws {
        try scorer.save(to: path + "/scorer.safetensors")
        self.scorer = scorer
    }
}

/// What every model folder is checked for before its files are read.
enum ModelFolder {
    /// The folder's config.json, once the folder is known to exist and hold one.
    static func configFile(of path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw FileError(path: path, problem: "no such model folder (embedded models: \(Assets.embeddedModels.joined(separator: ", ")))")
        }
        guard isDirectory.boolValue else {
            throw FileError(path: path, problem: "not a model folder: expected a directory with config.json and model.safetensors")
        }
        guard FileManager.default.fileExists(atPath: path + "/config.json") else {
            throw FileError(path: path, problem: "not a model folder: no config.json")
        }
        return path + "/config.json"
    }
}

/// Reads parameters and checks every expected tensor's presence and shape.
public enum WeightLoader {
    /// The expected tensors, stored in the file as `prefix` + name and
    /// returned under their names. A file of one model's weights (no
    /// prefix) must hold nothing else: a tensor the configuration does not
    /// explain (a distillation token, LayerScale factors, a bias) means the
    /// model would run without a part it was trained with.
    public static func load(_ file: SafetensorsFile, expected: [(String, [Int])], prefix: String = "") throws -> Parameters {
        let parameters = Parameters()
        for (name, shape) in expected {
            let stored = prefix + name
            guard let actual = file.shape(of: stored) else {
                throw FileError(path: file.path, problem: "missing tensor \(stored) (expected shape \(shape))")
            }
            guard actual == shape else {
                throw FileError(path: file.path, problem: "tensor \(stored) has shape \(actual), expected \(shape)")
            }
            parameters.set(name, try file.tensor(named: stored))
        }
        if prefix.isEmpty, let unexplained = Set(file.names).subtracting(expected.map(\.0)).sorted().first {
            throw FileError(path: file.path, problem: "tensor \(unexplained) is not part of the model its configuration describes")
        }
        return parameters
    }

    /// The names and shapes of `parameters`, as `load` expects them.
    public static func shapes(of parameters: Parameters) -> [(String, [Int])] {
        parameters.names.map { ($0, parameters[$0]!.shape) }
    }
}

extension ConvNet {
    /// Loads a folder written by `glimpse train cnn` (architecture `glimpse_cnn`).
    public static func load(_ path: String) throws -> ConvNet {
        let config = try ConvNetConfigFile.read(try ModelFolder.configFile(of: path))
        let parameters = try WeightLoader.load(try SafetensorsFile(path: path + "/model.safetensors"),
                                               expected: expectedShapes(config))
        return ConvNet(config: config, parameters: parameters)
    }
}

/// Reads the config.json of a convolutional classifier.
enum ConvNetConfigFile {
    static func read(_ path: String) throws -> ConvNetConfig {
        func fail(_ problem: String) -> FileError { FileError(path: path, problem: problem) }
        guard case .object(let fields) = try JSONFile.read(path) else { throw fail("config must be a JSON object") }
        guard let architecture = fields["architecture"]?.stringValue else { throw fail("missing \"architecture\"") }
        guard architecture == ConvNetConfig.architectureName else {
            throw fail("architecture '\(architecture)' is not a convolutional classifier (\(ConvNetConfig.architectureName), written by glimpse train cnn)")
        }
        guard case .object(let arguments)? = fields["model_args"] else { throw fail("missing \"model_args\" object") }
        guard let imageSize = arguments["img_size"]?.intValue, let inChannels = arguments["in_chans"]?.intValue,
              case .array(let widthValues)? = arguments["widths"], let widths = Optional(widthValues.compactMap(\.intValue)),
              widths.count == widthValues.count, let classes = fields["num_classes"]?.intValue else {
            throw fail("\"model_args\" needs integer img_size and in_chans and an integer array widths; \"num_classes\" an integer")
        }
        let defaults = Preprocessing(inputSize: [inChannels, imageSize, imageSize], cropFraction: 1, interpolation: .bicubic,
                                     mean: Array(repeating: 0.5, count: max(inChannels, 0)),
                                     std: Array(repeating: 0.5, count: max(inChannels, 0)))
        var preprocessing = defaults
        if let pretrained = fields["pretrained_cfg"] {
            guard case .object(let settings) = pretrained else { throw fail("\"pretrained_cfg\" must be an object") }
            preprocessing = try ViTConfigFile.preprocessing(settings, defaults: defaults, fail: fail)
        }
        let config = ConvNetConfig(imageSize: imageSize, inChannels: inChannels, widths: widths, classes: classes,
                                   labels: try ViTConfigFile.labelNames(fields, classes: classes, fail: fail),
                                   preprocessing: preprocessing)
        if let problem = config.inconsistency { throw fail(problem) }
        return config
    }
}
