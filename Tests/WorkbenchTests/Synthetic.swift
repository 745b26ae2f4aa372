import Foundation
import Kernels
import Methods
import Workbench

/// Deterministic stand-ins for what the engine reports: a gradient image,
/// a centred blob for Grad-CAM, the top half of the tokens kept.
enum Synthetic {
    static let gridSide = 8
    static let imageSide = 64
    static let labels = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    static let modelReference = "synthetic-vit"
    static let imagePath = "/data/images/sneaker.png"

    static let model = ModelSummary(name: "synthetic-vit", classLabels: labels, gridRows: gridSide, gridColumns: gridSide,
                                    inputSize: [3, imageSide, imageSide], pruningBlock: 3, depth: 12,
                                    capabilities: [.scorer])

    /// Red grows to the right, green downwards, blue to the left.
    static func gradientImage() -> Tensor {
        let plane = imageSide * imageSide
        var values = [Float](repeating: 0, count: 3 * plane)
        for y in 0..<imageSide {
            for x in 0..<imageSide {
                let fx = Float(x) / Float(imageSide - 1), fy = Float(y) / Float(imageSide - 1)
                values[y * imageSide + x] = fx
                values[plane + y * imageSide + x] = fy
                values[2 * plane + y * imageSide + x] = 0.5 * (1 - fx)
            }
        }
        return Tensor(shape: [3, imageSide, imageSide], values: values)
    }

    /// A Gaussian blob centred on the grid, min-max normalised.
    static func blob() -> [Float] {
        let centre = Float(gridSide - 1) / 2
        let raw = (0..<(gridSide * gridSide)).map { index -> Float in
            let dy = Float(index / gridSide) - centre, dx = Float(index % gridSide) - centre
            return exp(-(dx * dx + dy * dy) / 8)
        }
        let low = raw.min()!, high = raw.max()!
        return raw.map { ($0 - low) / (high - low) }
    }

    /// The top half of the tokens by `scores`, ties broken by index, ascending.
    static func topHalf(_ scores: [Float]) -> [Int] {
        let ranked = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        return ranked.prefix(scores.count / 2).sorted()
    }

    static func scores(_ probabilities: [(Int, Float)]) -> [ClassScore] {
        probabilities.map { ClassScore(index: $0.0, label: labels[$0.0], probability: $0.1) }
    }

    static func analysis(policy: PruningPolicy = .scorer, budget: PruningBudget = .keepRate(0.5)) -> Analysis {
        let gradcam = blob()
        let tokenCount = gridSide * gridSide
        let rollout = (0..<tokenCount).map { Float($0 / gridSide + $0 % gridSide) / Float(2 * (gridSide - 1)) }
        let scorer = gradcam.enumerated().map { 0.8 * $1 + 0.1 * Float($0 % gridSide) / Float(gridSide - 1) }
        return Analysis(
            modelName: model.name, inputSize: model.inputSize, gridRows: gridSide, gridColumns: gridSide,
            displayImage: gradientImage(), logits: (0..<10).map { Float($0) / 10 },
            top: scores([(7, 0.62), (5, 0.18), (9, 0.09), (8, 0.05), (0, 0.03)]),
            gradcam: gradcam, gradcamClass: 7, rollout: rollout, scorer: scorer,
            policy: policy, budget: budget, kept: topHalf(gradcam), prunedLogits: (0..<10).map { Float($0) / 12 },
            prunedTop: scores([(7, 0.55), (5, 0.21), (9, 0.11), (0, 0.06), (8, 0.04)]),
            gflopsDense: 1.26, gflopsPruned: 0.70,
            timingsMs: ["preprocess": 1.2, "forward": 4.1, "pruned_forward": 2.3, "gradcam": 20.5])
    }

    static func sweep() -> SweepResult {
        let keeps = [0.1, 0.3, 0.5, 0.7, 0.9]
        let drops: [(PruningPolicy, Double)] = [(.random, 0.5), (.scorer, 0.2), (.gradcam, 0.1), (.clsAttention, 0.25)]
        let images = 200
        func tally(_ policy: PruningPolicy, keep: Double, drop: Double, milliseconds: Double) -> SweepTally {
            var tally = SweepTally(policy: policy, keep: keep)
            tally.images = images
            tally.correct = Int((Double(images) * (0.9 - drop * (1 - keep))).rounded())
            tally.agreeing = Int((Double(images) * (1 - drop * (1 - keep))).rounded())
            tally.milliseconds = milliseconds * Double(images)
            tally.multiplyAdds = 1.26e9 * keep * Double(images)
            return tally
        }
        let tallies = drops.flatMap { policy, drop in keeps.map { tally(policy, keep: $0, drop: drop, milliseconds: 4 * $0) } }
            + [tally(.none, keep: 1, drop: 0, milliseconds: 4.1)]
        return SweepResult(tallies: tallies, images: images, denseCorrect: 180)
    }

    /// A state that went through the real start-up path: model, image and
    /// one analysis delivered by the (simulated) engine.
    static func loadedState(size: TerminalSize = TerminalSize(columns: 80, rows: 24), ascii: Bool = false) -> WorkbenchState {
        var state = WorkbenchState(embeddedModels: [modelReference, "tiny-vit"], workingDirectory: "/data",
                                   asciiMode: ascii)
        _ = state.handle(.resize(size))
        deliverAll(state.start(model: nil, image: imagePath), to: &state)
        return state
    }

    /// Answers every engine job (by default the way a working engine
    /// would), including the jobs those answers cause.
    static func deliverAll(_ effects: [WorkbenchEffect], to state: inout WorkbenchState,
                           answer: (EngineJob) -> EngineOutcome = outcome(for:)) {
        var pending = effects
        while !pending.isEmpty {
            let effect = pending.removeFirst()
            guard case .run(let job, let ticket) = effect else { continue }
            pending += state.handle(.finished(ticket: ticket, answer(job)))
        }
    }

    static func outcome(for job: EngineJob) -> EngineOutcome {
        switch job {
        case .loadModel(let reference): .modelLoaded(model, reference: reference)
        case .loadImage(let path): .imageLoaded(path: path)
        case .analyze(let request): .analysis(analysis(policy: request.policy, budget: request.budget))
        case .sweep: .sweep(sweep())
        case .exportPNG(_, let path), .exportJSON(let path): .exported(path: path)
        }
    }
}
