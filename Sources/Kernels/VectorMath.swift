/// Vectorised elementary functions for the kernels' hot loops.
///
/// Foundation's `exp` and `erf` are scalar library calls; softmax and GELU
/// evaluate them millions of times per forward pass, so these SIMD versions
/// trade a few ulp for an order of magnitude in speed.
public typealias FloatVector = SIMD8<Float>

public enum VectorMath {
    /// The integer view of a FloatVector's lanes, for bit tricks.
    public typealias LaneBits = SIMD8<Int32>
    private typealias Bits = LaneBits

    /// 1.5 · 2²³: adding it rounds a float in ±2²² to an integer held in
    /// the low mantissa bits, without the generic (slow) SIMD conversions.
    private static let roundingMagic: Float = 12_582_912

    /// e^x to about 2 ulp for x in [-87, 88]; saturates outside.
    @inline(__always)
    public static func exp(_ x: FloatVector) -> FloatVector {
        let clamped = minimum(maximum(x, FloatVector(repeating: -87.3)), FloatVector(repeating: 88.7))
        // x = n·ln2 + r with |r| ≤ ln2/2; ln2 split in two parts for precision.
        let shifted = FloatVector(repeating: roundingMagic).addingProduct(clamped, 1.442_695_04)
        let n = shifted - roundingMagic
        let r = clamped.addingProduct(n, -0.693_145_751_953_125).addingProduct(n, -1.428_606_765_330_187e-06)
        // Cephes' minimax polynomial for e^r on that interval, in fused
        // multiply-adds.
        var p = FloatVector(repeating: 1.398_199_950_7e-3).addingProduct(r, 1.987_569_15e-4)
        p = FloatVector(repeating: 8.333_451_907_3e-3).addingProduct(p, r)
        p = FloatVector(repeating: 4.166_579_589_4e-2).addingProduct(p, r)
        p = FloatVector(repeating: 1.666_666_545_9e-1).addingProduct(p, r)
        p = FloatVector(repeating: 5.000_000_120_1e-1).addingProduct(p, r)
        p = (r + 1).addingProduct(p, r * r)
        // 2^n through the exponent bits.
        let integer = unsafeBitCast(shifted, to: Bits.self) &- unsafeBitCast(FloatVector(repeating: roundingMagic), to: Bits.self)
        return p * unsafeBitCast((integer &+ 127) &<< 23, to: FloatVector.self)
    }

    /// e^x for one value, through the vector path so scalar tails agree
    /// bit for bit with the vector body.
    @inline(__always)
    public static func exp(_ x: Float) -> Float {
        exp(FloatVector(repeating: x))[0]
    }

    /// 1 + erf(x), computed without cancellation for negative x
    /// (Abramowitz–Stegun 7.1.26, absolute error below 1.5e-7).
    @inline(__always)
    public static func onePlusErf(_ x: FloatVector) -> FloatVector {
        let bits = unsafeBitCast(x, to: Bits.self)
        let a = unsafeBitCast(bits & Int32.max, to: FloatVector.self)
        let t = 1 / (1 + 0.327_591_1 * a)
        var poly = FloatVector(repeating: -1.453_152_027).addingProduct(t, 1.061_405_429)
        poly = FloatVector(repeating: 1.421_413_741).addingProduct(poly, t)
        poly = FloatVector(repeating: -0.284_496_736).addingProduct(poly, t)
        poly = FloatVector(repeating: 0.254_829_592).addingProduct(poly, t)
        poly *= t
        let tail = poly * exp(-a * a)  // = 1 - erf(|x|)
        // All ones where x is negative: pick the tail there, 2 − tail elsewhere.
        let negative = bits &>> 31
        let chosen = (unsafeBitCast(tail, to: Bits.self) & negative) | (unsafeBitCast(2 - tail, to: Bits.self) & ~negative)
        return unsafeBitCast(chosen, to: FloatVector.self)
    }

    /// Lane-wise minimum and maximum as a compare and a blend; the
    /// standard library's `pointwiseMin` and `clamped` stay generic calls.
    @inline(__always)
    public static func minimum(_ a: FloatVector, _ b: FloatVector) -> FloatVector {
        a.replacing(with: b, where: b .< a)
    }

    @inline(__always)
    public static func maximum(_ a: FloatVector, _ b: FloatVector) -> FloatVector {
        a.replacing(with: b, where: b .> a)
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

    /// w[i] = f(x[i], y[i]), or w[i] += f(x[i], y[i]) with `.accumulate`:
    /// a backward kernel's result, in the way its gradient wants it.
    @inline(__always)
    public static func write(_ count: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                             into w: UnsafeMutablePointer<Float>, _ write: GradientWrite,
                             _ f: (FloatVector, FloatVector) -> FloatVector) {
        switch write {
        case .accumulate: accumulate(count, x, y, into: w) { a, b, sum in sum + f(a, b) }
        case .overwrite: map(count, x, y, w, f)
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
            best = maximum(best, load(x + index))
            index += width
        }
        if index < count {
            best = maximum(best, loadPartial(x + index, lanes: count - index, fill: -.infinity))
        }
        return best.max()
    }
}
