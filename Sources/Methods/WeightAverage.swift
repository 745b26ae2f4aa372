import Formats
import Kernels
import Models

/// The mean of a parameter set's values at the ends of a run's last
/// epochs (checkpoint averaging): the mean of weights along the tail of
/// the schedule sits nearer the middle of the minimum than the last step.
struct WeightAverage {
    /// How many snapshots the mean takes.
    let snapshots: Int
    private(set) var means: [String: Tensor] = [:]
    private(set) var taken = 0

    init(snapshots: Int) {
        self.snapshots = snapshots
    }

    /// Adds the parameters' current values, each weighed 1/`snapshots`.
    mutating func take(_ parameters: Parameters) {
        precondition(taken < snapshots, "more snapshots than the average takes")
        for name in parameters.names {
            let value = parameters[name]!
            let mean = means[name] ?? Tensor(zeros: value.shape)
            means[name] = mean
            Elementwise.accumulate(value.pointer, scaledBy: 1 / Float(snapshots), into: mean.pointer, count: value.count)
        }
        taken += 1
    }

    /// Replaces the parameters by the mean, once every snapshot is taken.
    func apply(to parameters: Parameters) {
        precondition(taken == snapshots, "the average lacks snapshots")
        for (name, mean) in means { parameters.set(name, mean.copy()) }
    }

    /// Checkpoint entries holding the partial mean.
    func checkpointTensors(prefix: String) -> [(name: String, tensor: Tensor)] {
        means.keys.sorted().map { (prefix + $0, means[$0]!) }
    }

    /// Restores a partial mean of `taken` snapshots of `parameters`' tensors
    /// from a checkpoint.
    mutating func restore(taken: Int, of parameters: Parameters, prefix: String, from file: SafetensorsFile) throws {
        self.taken = taken
        means = taken > 0 ? try WeightLoader.load(file, expected: WeightLoader.shapes(of: parameters), prefix: prefix).tensors : [:]
    }
}
