import Kernels

/// A training batch split into contiguous shards that run forward and
/// backward on separate workers. Every training loss here is a mean over
/// images, so the batch's loss and gradients are the shards', each weighted
/// by its share of the images.
///
/// Small models gain most: their matrices are too small for two threads to
/// share one GEMM well, while two shards keep both cores on full-size work.
struct BatchShards {
    let ranges: [Range<Int>]

    /// `parts` shards of `count` images, as even as possible, never empty.
    init(count: Int, parts: Int) {
        let parts = max(1, min(parts, count))
        ranges = (0..<parts).map { (count * $0 / parts)..<(count * ($0 + 1) / parts) }
    }

    /// One shard's (or the batch's) mean loss, hits and parameter gradients.
    struct Outcome {
        let loss: Float
        let hits: Int
        let gradients: [String: Tensor]
    }

    /// Runs `body` on every shard in parallel and combines the outcomes.
    func run(_ body: (Range<Int>) -> Outcome) -> Outcome {
        let outcomes = Parallel.map(ranges.count) { body(ranges[$0]) }
        guard outcomes.count > 1, let total = ranges.last?.upperBound else { return outcomes[0] }
        var gradients: [String: Tensor] = [:]
        var loss: Float = 0
        for (range, outcome) in zip(ranges, outcomes) {
            let share = Float(range.count) / Float(total)
            loss += share * outcome.loss
            for (name, gradient) in outcome.gradients {
                let sum = gradients[name] ?? Tensor(zeros: gradient.shape)
                gradients[name] = sum
                Elementwise.accumulate(gradient.pointer, scaledBy: share, into: sum.pointer, count: sum.count)
            }
        }
        return Outcome(loss: loss, hits: outcomes.reduce(0) { $0 + $1.hits }, gradients: gradients)
    }
}
