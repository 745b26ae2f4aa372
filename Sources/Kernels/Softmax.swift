/// Softmax over the last axis of a [rows, columns] buffer.
public enum Softmax {
    /// y = softmax(x) per row; x and y may be the same buffer.
    public static func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        Elementwise.eachRow(rows, columns: columns) { row in
            normaliseRow(x + row * columns, y + row * columns, columns: columns)
        }
    }

    /// Numerically stable softmax of one row, on the calling thread.
    @inline(__always)
    public static func normaliseRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, columns: Int) {
        let peak = FloatVector(repeating: VectorMath.maximum(columns, x))
        // Exponentiate and sum in one pass, then scale.
        var total = FloatVector.zero
        var index = 0
        while index + VectorMath.width <= columns {
            let value = VectorMath.exp(VectorMath.load(x + index) - peak)
            VectorMath.store(value, y + index)
            total += value
            index += VectorMath.width
        }
        var sum = total.sum()
        while index < columns {
            y[index] = VectorMath.exp(x[index] - peak[0])
            sum += y[index]
            index += 1
        }
        let inverse = 1 / sum
        VectorMath.map(columns, y, y) { $0 * inverse }
    }

    /// dx += y ⊙ (dy − Σ dy ⊙ y) per row, from the forward output y.
    public static func backward(_ y: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                                inputGradient dx: UnsafeMutablePointer<Float>, rows: Int, columns: Int) {
        Elementwise.eachRow(rows, columns: columns) { row in
            backwardRow(y + row * columns, dy + row * columns, dx + row * columns, columns: columns)
        }
    }

    /// One row of `backward`, on the calling thread; `.overwrite` writes
    /// dx = y ⊙ (dy − Σ dy ⊙ y) instead of adding it.
    @inline(__always)
    public static func backwardRow(_ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
                                   columns: Int, write: GradientWrite = .accumulate) {
        let inner = FloatVector(repeating: Elementwise.dot(y, dy, count: columns))
        VectorMath.write(columns, y, dy, into: dx, write) { p, g in p * (g - inner) }
    }
}
