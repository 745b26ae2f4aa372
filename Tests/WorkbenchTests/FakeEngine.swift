import Foundation
import Methods
import Workbench

/// A test double of the engine that answers with the synthetic data.
/// Paths containing "bad" fail the way a broken file would.
final class FakeEngine: WorkbenchEngine, @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let embeddedModels = [Synthetic.modelReference, "tiny-vit"]

    func loadModel(reference: String) throws -> ModelSummary {
        guard embeddedModels.contains(reference) else { throw Failure(description: "\(reference): no such model") }
        return Synthetic.model
    }

    func loadImage(path: String) throws {
        if path.contains("bad") { throw Failure(description: "\(path): not a PNG file") }
    }

    func analyze(_ request: AnalysisRequest) throws -> Analysis {
        Synthetic.analysis(policy: request.policy, budget: request.budget)
    }

    func sweep(dataset: String, limit: Int, progress: @escaping @Sendable (Double) -> Void) throws -> SweepResult {
        for step in 1...4 {
            Thread.sleep(forTimeInterval: 0.05)
            progress(Double(step) / 4)
        }
        return Synthetic.sweep()
    }

    func exportPNG(view: ViewKind, path: String) throws {}

    func exportJSON(path: String) throws {}
}
