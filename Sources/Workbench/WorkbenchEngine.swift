import Methods

/// What the workbench needs to know about a loaded model.
public struct ModelSummary: Sendable, Equatable {
    public var name: String
    public var classLabels: [String]
    /// Patch grid (rows, columns).
    public var gridRows: Int
    public var gridColumns: Int
    /// [C, H, W] of the model input.
    public var inputSize: [Int]
    /// Tokens are pruned after this block (1-based).
    public var pruningBlock: Int
    public var depth: Int
    public var capabilities: Set<ModelCapability>

    public init(name: String, classLabels: [String], gridRows: Int, gridColumns: Int, inputSize: [Int],
                pruningBlock: Int, depth: Int, capabilities: Set<ModelCapability>) {
        self.name = name
        self.classLabels = classLabels
        self.gridRows = gridRows
        self.gridColumns = gridColumns
        self.inputSize = inputSize
        self.pruningBlock = pruningBlock
        self.depth = depth
        self.capabilities = capabilities
    }

    public var hasScorer: Bool { capabilities.contains(.scorer) }

    /// The views this model can fill, in number-key order.
    public var availableViews: [ViewKind] {
        ViewKind.allCases.filter { view in view.requirement.map(capabilities.contains) ?? true }
    }

    /// The pruning policies this model supports.
    public var availablePolicies: [PruningPolicy] {
        PruningPolicy.allCases.filter { $0 != .scorer || hasScorer }
    }
}

/// The inference engine as the workbench sees it.
///
/// Calls come from one worker thread, one at a time, never from the UI
/// thread. The engine holds a current model and a current image; a call
/// that fails throws an error whose description is one line naming the
/// file and the problem ("photo.png: not a PNG file") and leaves the
/// current model and image as they were.
public protocol WorkbenchEngine: AnyObject, Sendable {
    /// Names of the models shipped with the binary, default first; each is
    /// a valid `reference` for `loadModel`.
    var embeddedModels: [String] { get }

    /// Makes a model current: an embedded model's name or a model folder.
    func loadModel(reference: String) throws -> ModelSummary

    /// Reads an image and makes it current. Preprocessing for the model
    /// happens in `analyze`, so the image survives a model switch.
    func loadImage(path: String) throws

    /// Runs the dense and pruned passes and the attributions on the current
    /// model and image.
    func analyze(_ request: AnalysisRequest) throws -> Analysis

    /// Evaluates every policy at several keep rates on the first `limit`
    /// images of a data set (a folder of class folders, or Fashion-MNIST),
    /// calling `progress` with the fraction done.
    func sweep(dataset: String, limit: Int, progress: @escaping @Sendable (Double) -> Void) throws -> SweepResult

    /// Writes the last analysis, drawn as `view`, as a PNG at full resolution.
    func exportPNG(view: ViewKind, path: String) throws

    /// Writes the last analysis as the JSON document of `glimpse analyze --json`.
    func exportJSON(path: String) throws
}
