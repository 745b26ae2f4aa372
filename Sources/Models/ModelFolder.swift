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

    /// Loads a model folder; a bare name of an embedded model works too.
    public static func load(_ reference: String) throws -> ViTModel {
        let path = Assets.resolveModel(reference)
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
        let config = try ViTConfigFile.read(path + "/config.json")
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
        guard scorerConfig.layer >= 1 && scorerConfig.layer < config.depth else {
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

/// Reads parameters and checks every expected tensor's presence and shape.
enum WeightLoader {
    static func load(_ file: SafetensorsFile, expected: [(String, [Int])]) throws -> Parameters {
        let parameters = Parameters()
        for (name, shape) in expected {
            guard let actual = file.shape(of: name) else {
                throw FileError(path: file.path, problem: "missing tensor \(name) (expected shape \(shape))")
            }
            guard actual == shape else {
                throw FileError(path: file.path, problem: "tensor \(name) has shape \(actual), expected \(shape)")
            }
            parameters.set(name, try file.tensor(named: name))
        }
        return parameters
    }
}
