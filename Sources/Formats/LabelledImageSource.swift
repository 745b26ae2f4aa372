import Kernels

/// A data set of images with class labels, read by index.
public protocol LabelledImageSource: Sendable {
    var count: Int { get }
    var classNames: [String] { get }
    /// A [C, H, W] tensor with values in 0...1.
    func image(at index: Int) throws -> Tensor
    /// An index into `classNames`.
    func label(at index: Int) -> Int
}

extension LabelledImageSource {
    /// All indices in an order that depends only on `seed`.
    public func shuffledIndices(seed: UInt64) -> [Int] {
        seededPermutation(count: count, seed: seed)
    }
}

/// 0..<count shuffled by Fisher–Yates with the engine's seeded generator.
public func seededPermutation(count: Int, seed: UInt64) -> [Int] {
    var generator = SeededGenerator(seed: seed)
    var indices = Array(0..<count)
    for position in stride(from: count - 1, to: 0, by: -1) {
        indices.swapAt(position, generator.nextIndex(below: position + 1))
    }
    return indices
}
