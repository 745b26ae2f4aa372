import Methods

/// Whether the pruning budget is a keep rate or a score threshold.
public enum BudgetMode: Sendable {
    case keepRate, threshold
}

/// A line for the status bar.
public struct StatusMessage: Equatable, Sendable {
    public let text: String
    public let isError: Bool

    public static func info(_ text: String) -> StatusMessage { StatusMessage(text: text, isError: false) }
    public static func error(_ text: String) -> StatusMessage { StatusMessage(text: text, isError: true) }
}

/// An engine job that has not reported back yet.
public struct RunningJob: Equatable, Sendable {
    public let ticket: Int
    public let job: EngineJob
    /// 0...1 for jobs that report progress.
    public var progress: Double?
}

/// Everything the workbench shows. Events change it through `handle`, a
/// pure function of the state, so it is testable without a terminal.
public struct WorkbenchState: Sendable {
    public static let keepRateStep = 0.05
    public static let thresholdStep = 0.05
    public static let opacityStep = 0.1

    // Fixed for the session.
    public let embeddedModels: [String]
    public let workingDirectory: String
    public let asciiMode: Bool
    public let sweepDataset: String

    // What the engine reported.
    public internal(set) var model: ModelSummary?
    public internal(set) var modelReference: String?
    public internal(set) var imagePath: String?
    public internal(set) var analysis: Analysis?
    public internal(set) var sweep: SweepResult?
    /// The data set the last sweep ran on.
    public internal(set) var sweepSource: String?

    // The analysis request being shown.
    public internal(set) var policy: PruningPolicy = .scorer
    public internal(set) var budgetMode: BudgetMode = .keepRate
    public internal(set) var keepRate = 0.5
    public internal(set) var threshold = 0.5
    /// Grad-CAM target; nil follows the dense top-1.
    public internal(set) var targetClass: Int?

    // Display.
    public internal(set) var view: ViewKind = .gradcam
    public internal(set) var cursor = TokenPosition(row: 0, column: 0)
    public internal(set) var heatmapOpacity = 0.6
    public internal(set) var showsGrid = false
    public internal(set) var showsPlot = false
    public internal(set) var overlay: Overlay?
    public internal(set) var status: StatusMessage?
    public internal(set) var screenSize = WorkbenchLayout.minimumSize
    public internal(set) var spinnerFrame = 0

    // Jobs: each has a ticket; only the newest analysis and sweep count.
    public internal(set) var running: [RunningJob] = []
    var nextTicket = 1
    var latestAnalysisTicket: Int?
    var latestSweepTicket: Int?

    public internal(set) var recent: RecentItems
    public internal(set) var shouldQuit = false

    public init(embeddedModels: [String], workingDirectory: String, recent: RecentItems = RecentItems(),
                asciiMode: Bool = false, sweepDataset: String = "/usr/share/datasets/fashion-mnist") {
        self.embeddedModels = embeddedModels
        self.workingDirectory = workingDirectory
        self.recent = recent
        self.asciiMode = asciiMode
        self.sweepDataset = sweepDataset
    }

    /// The request that produces what should be on screen.
    public var analysisRequest: AnalysisRequest {
        AnalysisRequest(policy: policy,
                        budget: budgetMode == .keepRate ? .keepRate(keepRate) : .threshold(Float(threshold)),
                        targetClass: targetClass)
    }

    /// Views offered in Tab order; before a model loads, the ones every ViT has.
    public var availableViews: [ViewKind] {
        model?.availableViews ?? ViewKind.allCases.filter { $0.requirement == nil }
    }

    public var availablePolicies: [PruningPolicy] {
        model?.availablePolicies ?? PruningPolicy.allCases
    }

    /// The token grid (rows, columns) of the analysis, else of the model.
    public var gridSize: (rows: Int, columns: Int)? {
        if let analysis { return (analysis.gridRows, analysis.gridColumns) }
        if let model { return (model.gridRows, model.gridColumns) }
        return nil
    }

    public var keyMode: KeyMode { overlay?.keyMode ?? .workbench }

    public var layout: WorkbenchLayout? {
        WorkbenchLayout(size: screenSize, showsPlot: showsPlot && sweep != nil)
    }

    /// Where the analysis image is drawn at the current size.
    public var imagePlacement: ImagePlacement? {
        guard let layout, let analysis else { return nil }
        return ImagePlacement(canvas: layout.imageCanvas, analysis: analysis)
    }
}
