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

/// The SplitMix64 generator: tiny, fast and the same on every platform, so a
/// seed names one sequence for good.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    /// A uniform integer in 0..<bound (Lemire's multiply-and-reject). Spelled
    /// out rather than left to the standard library, whose method may change.
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0, "empty range")
        let range = UInt64(bound)
        var product = next().multipliedFullWidth(by: range)
        if product.low < range {
            let threshold = (0 &- range) % range
            while product.low < threshold { product = next().multipliedFullWidth(by: range) }
        }
        return Int(product.high)
    }
}

/// 0..<count shuffled by Fisher–Yates with SplitMix64 seeded by `seed`.
public func seededPermutation(count: Int, seed: UInt64) -> [Int] {
    var generator = SplitMix64(seed: seed)
    var indices = Array(0..<count)
    for position in stride(from: count - 1, to: 0, by: -1) {
        indices.swapAt(position, generator.nextIndex(below: position + 1))
    }
    return indices
}
