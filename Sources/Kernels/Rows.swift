/// Row gather and scatter over [rows, width] buffers: how pruning moves the
/// surviving tokens into a shorter sequence and how gradients flow back.
public enum Rows {
    /// destination[i, :] = source[indices[i], :]
    public static func gather(_ source: UnsafePointer<Float>, width: Int, indices: [Int],
                              into destination: UnsafeMutablePointer<Float>) {
        indices.withUnsafeBufferPointer { rows in
            Elementwise.eachRow(rows.count, columns: width) { position in
                (destination + position * width).update(from: source + rows[position] * width, count: width)
            }
        }
    }

    /// destination[indices[i], :] += source[i, :]; indices may repeat, so
    /// this runs on one thread to stay race-free.
    public static func scatterAdd(_ source: UnsafePointer<Float>, width: Int, indices: [Int],
                                  into destination: UnsafeMutablePointer<Float>) {
        for (position, row) in indices.enumerated() {
            let target = destination + row * width
            VectorMath.map(width, target, source + position * width, target) { $0 + $1 }
        }
    }

    /// means[b, :] = mean over the `rows` rows of batch item b.
    public static func mean(_ source: UnsafePointer<Float>, batch: Int, rows: Int, width: Int,
                            into means: UnsafeMutablePointer<Float>) {
        let inverse = 1 / Float(max(rows, 1))
        for item in 0..<batch {
            let target = means + item * width
            target.initialize(repeating: 0, count: width)
            Elementwise.accumulateColumnSums(source + item * rows * width, rowCount: rows, columns: width, into: target)
            VectorMath.map(width, target, target) { $0 * inverse }
        }
    }

    /// Gradient of `mean`: every row of item b receives gradient[b, :] / rows.
    public static func meanBackward(_ gradient: UnsafePointer<Float>, batch: Int, rows: Int, width: Int,
                                    into sourceGradient: UnsafeMutablePointer<Float>) {
        let inverse = FloatVector(repeating: 1 / Float(max(rows, 1)))
        Parallel.forRanges(batch * rows) { range in
            for row in range {
                let target = sourceGradient + row * width
                VectorMath.map(width, target, gradient + (row / rows) * width, target) { $0 + $1 * inverse }
            }
        }
    }
}
