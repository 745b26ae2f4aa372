import Formats

/// What every trainer needs: the schedule, the optimiser's rates, label
/// smoothing, the seed and how much of the data to use.
public struct TrainingSettings: Sendable {
    public var epochs = 10
    public var batchSize = 128
    public var learningRate = 1e-3
    public var minimumLearningRate = 1e-5
    public var weightDecay = 0.05
    public var warmupEpochs = 1.0
    public var labelSmoothing: Float = 0.1
    public var seed: UInt64 = 0
    /// Images per split to use (nil: all).
    public var limit: Int?

    public init() {}

    /// How many of the source's images a run trains on.
    public func imageCount(of source: any LabelledImageSource) -> Int { min(source.count, limit ?? source.count) }
}
