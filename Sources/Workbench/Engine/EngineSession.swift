import Formats
import Foundation
import Kernels
import Methods
import Models

/// The workbench's engine: the current model and image, analysed with the
/// Methods layer. Calls arrive one at a time from the workbench's worker
/// thread; a failed call leaves the current model and image as they were.
public final class EngineSession: WorkbenchEngine, @unchecked Sendable {
    private var model: ViTModel?
    private var analyzer: Analyzer?
    private var image: Tensor?
    /// The current image preprocessed for the current model, made on demand.
    private var prepared: PreparedImage?
    private var lastAnalysis: Analysis?

    public init() {}

    /// The default model first, then the other embedded models.
    public var embeddedModels: [String] {
        let names = Assets.embeddedModels
        return names.contains(Self.defaultModel) ? [Self.defaultModel] + names.filter { $0 != Self.defaultModel } : names
    }

    public static let defaultModel = "fashion-vit"

    public func loadModel(reference: String) throws -> ModelSummary {
        let loaded = try ViTModel.load(reference)
        loaded.prepareForInference()
        model = loaded
        analyzer = Analyzer(model: loaded)
        prepared = nil
        lastAnalysis = nil
        let config = loaded.config
        return ModelSummary(name: loaded.name, classLabels: config.labels, gridRows: config.gridRows,
                            gridColumns: config.gridColumns, inputSize: config.preprocessing.inputSize,
                            pruningBlock: analyzer!.pruningBlocks, depth: config.depth,
                            capabilities: loaded.scorer == nil ? [] : [.scorer])
    }

    public func loadImage(path: String) throws {
        image = try ImageFile.read(path: path)
        prepared = nil
        lastAnalysis = nil
    }

    public func analyze(_ request: AnalysisRequest) throws -> Analysis {
        guard let model, let analyzer else { throw EngineSessionError.noModel }
        guard let image else { throw EngineSessionError.noImage }
        let input = prepared ?? ImagePreprocessor.prepare(image, for: model.config.preprocessing)
        prepared = input
        let analysis = try analyzer.analyze(input: input, request: request)
        lastAnalysis = analysis
        return analysis
    }

    public func sweep(dataset: String, limit: Int, progress: @escaping @Sendable (Double) -> Void) throws -> SweepResult {
        guard let model else { throw EngineSessionError.noModel }
        let source = try DataSets.open(dataset, split: .test)
        let indices = Array(source.shuffledIndices(seed: 0).prefix(limit))
        let policies = PruningPolicy.allCases.filter { $0 != .scorer || model.scorer != nil }
        let sweep = Sweep(model: model, policies: policies, keepRates: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
        return try sweep.run(loader: BatchLoader(source: source, preprocessing: model.config.preprocessing), indices: indices,
                             progress: progress)
    }

    public func exportPNG(view: ViewKind, path: String) throws {
        guard let lastAnalysis else { throw EngineSessionError.nothingToExport }
        try AnalysisImage.write(lastAnalysis, view: view, to: path)
    }

    public func exportJSON(path: String) throws {
        guard let lastAnalysis, let model else { throw EngineSessionError.nothingToExport }
        try JSONFile.write(lastAnalysis.jsonDocument(labels: model.config.labels), to: path)
    }
}

/// What the session refuses to do before it has a model or an image.
enum EngineSessionError: Error, CustomStringConvertible {
    case noModel, noImage, nothingToExport

    var description: String {
        switch self {
        case .noModel: return "no model loaded: open one from the command palette (:)"
        case .noImage: return "no image loaded: press o to open one"
        case .nothingToExport: return "nothing to export yet: the analysis has not finished"
        }
    }
}

/// A view of an analysis drawn at the analysed image's resolution, as PNG.
public enum AnalysisImage {
    /// Heatmap weight of exported overlays.
    public static let opacity: Float = 0.55

    public static func write(_ analysis: Analysis, view: ViewKind, to path: String) throws {
        let composer = ImageComposer(analysis: analysis, view: view, opacity: opacity, cursor: nil, showsGrid: false)
        guard let size = composer.imageSize else {
            throw FileError(path: path, problem: "the analysis has no image to draw")
        }
        let raster = composer.colourRaster(width: size.width, height: size.height)
        let planes = Tensor(uninitialized: [3, size.height, size.width])
        let plane = size.width * size.height
        for (index, pixel) in raster.pixels.enumerated() {
            planes[flat: index] = pixel.x
            planes[flat: plane + index] = pixel.y
            planes[flat: 2 * plane + index] = pixel.z
        }
        try ImageFile.writePNG(planes, to: path)
    }
}
