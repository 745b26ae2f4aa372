import Foundation

/// SplitMix64: a small, fast generator whose sequence is the same on every
/// machine, so seeded runs (initialisation, shuffles, random pruning)
/// reproduce exactly.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
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

    /// A standard normal sample (Box–Muller).
    public mutating func nextNormal() -> Float {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return Float((-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }
}

extension Tensor {
    /// Normal(0, std) values truncated to ±2 std (timm's `trunc_normal_`).
    public static func truncatedNormal(_ shape: [Int], std: Float, using generator: inout SeededGenerator) -> Tensor {
        let tensor = Tensor(uninitialized: shape)
        for index in 0..<tensor.count {
            var sample = generator.nextNormal()
            while abs(sample) > 2 { sample = generator.nextNormal() }
            tensor[flat: index] = sample * std
        }
        return tensor
    }

    /// Uniform values in `range`.
    public static func uniform(_ shape: [Int], in range: ClosedRange<Float>, using generator: inout SeededGenerator) -> Tensor {
        let tensor = Tensor(uninitialized: shape)
        for index in 0..<tensor.count { tensor[flat: index] = Float.random(in: range, using: &generator) }
        return tensor
    }
}
