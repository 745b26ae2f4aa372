/// Vectorised elementary functions for the kernels' hot loops.
///
/// Foundation's `exp` and `erf` are scalar library calls; softmax and GELU
/// evaluate them millions of times per forward pass, so these SIMD versions
/// trade a few ulp for an order of magnitude in speed.
public typealias FloatVector = SIMD16<Float>

public enum VectorMath {
    /// e^x to about 2 ulp for x in [-87, 88]; saturates outside.
    @inline(__always)
    public static func exp(_ x: FloatVector) -> FloatVector {
        let clamped = x.clamped(lowerBound: FloatVector(repeating: -87.3), upperBound: FloatVector(repeating: 88.7))
        // x = n·ln2 + r with |r| ≤ ln2/2; ln2 split in two parts for precision.
        let n = (clamped * 1.442_695_04).rounded(.toNearestOrEven)
        var r = clamped - n * 0.693_145_751_953_125
        r = r - n * 1.428_606_765_330_187e-06
        // Degree-6 Taylor-like minimax polynomial for e^r on that interval.
        var p = FloatVector(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * r * r + r + 1
        // Scale by 2^n through the exponent bits.
        let exponent = (SIMD16<Int32>(n) &+ 127) &<< 23
        return p * unsafeBitCast(exponent, to: FloatVector.self)
    }

    /// e^x for one value, through the vector path so scalar tails agree
    /// bit for bit with the vector body.
    @inline(__always)
    public static func exp(_ x: Float) -> Float {
        exp(FloatVector(repeating: x))[0]
    }

    /// 1 + erf(x), computed without cancellation for negative x (Abramowitz–Stegun 7.1.26,
    /// absolute error below 1.5e-7).
    @inline(__always)
    public static func onePlusErf(_ x: FloatVector) -> FloatVector {
        let a = x.replacing(with: -x, where: x .< 0)
        let t = 1 / (1 + 0.327_591_1 * a)
        var poly = FloatVector(repeating: 1.061_405_429)
        poly = poly * t - 1.453_152_027
        poly = poly * t + 1.421_413_741
        poly = poly * t - 0.284_496_736
        poly = poly * t + 0.254_829_592
        poly = poly * t
        let tail = poly * exp(-a * a)  // = 1 - erf(|x|)
        return (2 - tail).replacing(with: tail, where: x .< 0)
    }
}

extension VectorMath {
    /// Lanes per vector.
    public static let width = FloatVector.scalarCount

    @inline(__always)
    public static func load(_ pointer: UnsafePointer<Float>) -> FloatVector {
        UnsafeRawPointer(pointer).loadUnaligned(as: FloatVector.self)
    }

    @inline(__always)
    public static func store(_ vector: FloatVector, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: FloatVector.self)
    }

    /// Loads `lanes` (< width) values, padding with `fill`.
    @inline(__always)
    public static func loadPartial(_ pointer: UnsafePointer<Float>, lanes: Int, fill: Float = 0) -> FloatVector {
        var vector = FloatVector(repeating: fill)
        for lane in 0..<lanes { vector[lane] = pointer[lane] }
        return vector
    }

    @inline(__always)
    public static func storePartial(_ vector: FloatVector, _ pointer: UnsafeMutablePointer<Float>, lanes: Int) {
        for lane in 0..<lanes { pointer[lane] = vector[lane] }
    }

    /// y[i] = f(x[i]) for i in 0..<count, a vector at a time.
    @inline(__always)
    public static func map(_ count: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                           _ f: (FloatVector) -> FloatVector) {
        var index = 0
        while index + width <= count {
            store(f(load(x + index)), y + index)
            index += width
        }
        if index < count {
            storePartial(f(loadPartial(x + index, lanes: count - index)), y + index, lanes: count - index)
        }
    }

    /// z[i] = f(x[i], y[i]) for i in 0..<count.
    @inline(__always)
    public static func map(_ count: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                           _ z: UnsafeMutablePointer<Float>, _ f: (FloatVector, FloatVector) -> FloatVector) {
        var index = 0
        while index + width <= count {
            store(f(load(x + index), load(y + index)), z + index)
            index += width
        }
        if index < count {
            let lanes = count - index
            storePartial(f(loadPartial(x + index, lanes: lanes), loadPartial(y + index, lanes: lanes)), z + index, lanes: lanes)
        }
    }

    /// w[i] = f(x[i], y[i], w[i]) for i in 0..<count: the shape of every
    /// backward rule that accumulates into a gradient.
    @inline(__always)
    public static func accumulate(_ count: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                                  into w: UnsafeMutablePointer<Float>,
                                  _ f: (FloatVector, FloatVector, FloatVector) -> FloatVector) {
        var index = 0
        while index + width <= count {
            store(f(load(x + index), load(y + index), load(w + index)), w + index)
            index += width
        }
        if index < count {
            let lanes = count - index
            storePartial(f(loadPartial(x + index, lanes: lanes), loadPartial(y + index, lanes: lanes),
                           loadPartial(w + index, lanes: lanes)), w + index, lanes: lanes)
        }
    }

    /// Σ f(x[i]) in float with vector partial sums.
    @inline(__always)
    public static func sum(_ count: Int, _ x: UnsafePointer<Float>, _ f: (FloatVector) -> FloatVector = { $0 }) -> Float {
        var total = FloatVector.zero
        var index = 0
        while index + width <= count {
            total += f(load(x + index))
            index += width
        }
        if index < count {
            let lanes = count - index
            let tail = f(loadPartial(x + index, lanes: lanes))
            for lane in 0..<lanes { total[lane] += tail[lane] }
        }
        return total.sum()
    }

    /// Largest value of x[0..<count] (count > 0).
    @inline(__always)
    public static func maximum(_ count: Int, _ x: UnsafePointer<Float>) -> Float {
        var best = FloatVector(repeating: -.infinity)
        var index = 0
        while index + width <= count {
            best = pointwiseMax(best, load(x + index))
            index += width
        }
        if index < count {
            best = pointwiseMax(best, loadPartial(x + index, lanes: count - index, fill: -.infinity))
        }
        return best.max()
    }
}
