import Autodiff
import Kernels
import Models

/// Dense accuracy of a model over a data set.
public enum Evaluation {
    /// Top-1 accuracy over the first `limit` images (all by default).
    public static func accuracy(_ model: any ImageClassifier, loader: BatchLoader, limit: Int? = nil, batchSize: Int = 250) throws -> Double {
        let count = min(loader.source.count, limit ?? Int.max)
        var correct = 0
        var generator = SeededGenerator(seed: 0)
        for start in stride(from: 0, to: count, by: batchSize) {
            let (images, labels) = try loader.batch(Array(start..<min(count, start + batchSize)), augment: false, generator: &generator)
            let predictions = DensePass.topClasses(model.logits(Variable(images)).value)
            correct += zip(predictions, labels).filter { $0 == $1 }.count
        }
        return Double(correct) / Double(max(count, 1))
    }
}
