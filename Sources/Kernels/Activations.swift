/// Point-wise non-linearities and their derivatives.
///
/// Backward functions add their result into the gradient buffer they are
/// given, as every backward kernel does unless told to overwrite it.
public enum Activation {
    private static let inverseSquareRootTwo: Float = 0.707_106_781_186_547_5
    private static let inverseSquareRootTwoPi: Float = 0.398_942_280_401_432_7

    /// Exact GELU: x · Φ(x) = x/2 · (1 + erf(x/√2)), as `nn.GELU()`.
    public static func gelu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        Elementwise.chunks(count, grain: Elementwise.transcendentalGrain) { start, length in
            VectorMath.map(length, x + start, y + start) { v in
                0.5 * v * VectorMath.onePlusErf(v * inverseSquareRootTwo)
            }
        }
    }

    /// dx += dy · (Φ(x) + x·φ(x)), or dx = … with `.overwrite`.
    public static func geluBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                    count: Int, write: GradientWrite = .accumulate) {
        Elementwise.chunks(count, grain: Elementwise.transcendentalGrain) { start, length in
            VectorMath.write(length, x + start, dy + start, into: dx + start, write) { v, g in g * geluSlope(v) }
        }
    }

    /// d GELU(x)/dx = Φ(x) + x·φ(x)
    @inline(__always)
    private static func geluSlope(_ v: FloatVector) -> FloatVector {
        let cdf = 0.5 * VectorMath.onePlusErf(v * inverseSquareRootTwo)
        let density = inverseSquareRootTwoPi * VectorMath.exp(-0.5 * v * v)
        return cdf + v * density
    }

    public static func relu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        Elementwise.chunks(count) { start, length in
            VectorMath.map(length, x + start, y + start) { VectorMath.maximum($0, .zero) }
        }
    }

    /// dx += dy where x > 0
    public static func reluBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int) {
        Elementwise.chunks(count) { start, length in
            VectorMath.accumulate(length, x + start, dy + start, into: dx + start) { v, g, sum in
                // All ones where x > 0 (sign clear and not ±0), built from
                // the bits because SIMD mask selects are generic and slow.
                let bits = unsafeBitCast(v, to: VectorMath.LaneBits.self)
                let positive = ~(bits &>> 31) & ~((bits &- 1) &>> 31)
                return sum + unsafeBitCast(unsafeBitCast(g, to: VectorMath.LaneBits.self) & positive, to: FloatVector.self)
            }
        }
    }

    /// 1 / (1 + e^-x)
    public static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        Elementwise.chunks(count, grain: Elementwise.transcendentalGrain) { start, length in
            VectorMath.map(length, x + start, y + start) { 1 / (1 + VectorMath.exp(-$0)) }
        }
    }

    /// dx += dy · y(1 − y), from the forward output y.
    public static func sigmoidBackward(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, count: Int) {
        Elementwise.chunks(count) { start, length in
            VectorMath.accumulate(length, y + start, dy + start, into: dx + start) { s, g, sum in sum + g * s * (1 - s) }
        }
    }
}
