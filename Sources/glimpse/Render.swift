import ArgumentParser
import Formats
import Methods
import Models
import Workbench

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a view of an analysis as a PNG at the analysed image's resolution.")

    @Option(help: "Model folder or embedded model name.")
    var model: String = EngineSession.defaultModel

    @Option(help: "Image file (PNG, JPEG, PPM/PGM).")
    var image: String

    @Option(help: "View: gradcam, scorer, pruned or rollout.")
    var view: RenderedView

    @Option(help: "Output PNG file.")
    var out: String

    @OptionGroup var pruning: PruningOptions

    enum RenderedView: String, ExpressibleByArgument, CaseIterable {
        case gradcam, scorer, pruned, rollout

        var kind: ViewKind {
            switch self {
            case .gradcam: return .gradcam
            case .scorer: return .scorer
            case .pruned: return .pruned
            case .rollout: return .rollout
            }
        }
    }

    func run() throws {
        let session = EngineSession()
        let summary = try session.loadModel(reference: model)
        try session.loadImage(path: image)
        var request = pruning.request(hasScorer: summary.hasScorer)
        // The pruned view needs a policy; the others draw the dense maps.
        if view == .pruned && request.policy == .none { request.policy = summary.hasScorer ? .scorer : .clsAttention }
        if view == .scorer && !summary.hasScorer {
            throw ValidationError("the model has no Scorer to draw; train one with `glimpse train-scorer`")
        }
        _ = try session.analyze(request)
        try session.exportPNG(view: view.kind, path: out)
    }
}
