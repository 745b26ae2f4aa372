/// Element-wise arithmetic and reductions over flat buffers.
public enum Elementwise {
    /// Loops shorter than this stay on the calling thread.
    static let parallelGrain = 1 << 15
    /// The same for loops that evaluate exp or erf per element: each element
    /// costs tens of operations, so shorter loops are worth splitting (the
    /// GELUs of a Scorer over 196 tokens, 25088 elements each, ran serially
    /// at the plain grain while the second worker waited).
    static let transcendentalGrain = 1 << 12

    /// Splits a flat loop over the workers in vector-aligned chunks.
    @inline(__always)
    static func chunks(_ count: Int, grain: Int = parallelGrain, _ body: (Int, Int) -> Void) {
        Parallel.forRanges(count, minimumChunk: grain) { range in
            body(range.lowerBound, range.count)
        }
    }

    /// z = x + y
    public static func add(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>, count: Int) {
        chunks(count) { start, length in VectorMath.map(length, x + start, y + start, z + start) { $0 + $1 } }
    }

    /// z = x ⊙ y
    public static func multiply(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>, count: Int) {
        chunks(count) { start, length in VectorMath.map(length, x + start, y + start, z + start) { $0 * $1 } }
    }

    /// y += alpha · x
    public static func accumulate(_ x: UnsafePointer<Float>, scaledBy alpha: Float = 1, into y: UnsafeMutablePointer<Float>, count: Int) {
        chunks(count) { start, length in
            VectorMath.accumulate(length, x + start, x + start, into: y + start) { value, _, sum in sum + alpha * value }
        }
    }

    /// w += x ⊙ y
    public static func accumulateProduct(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, into w: UnsafeMutablePointer<Float>, count: Int) {
        chunks(count) { start, length in
            VectorMath.accumulate(length, x + start, y + start, into: w + start) { a, b, sum in sum + a * b }
        }
    }

    /// y = alpha · x + beta
    public static func affine(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int, scale alpha: Float, shift beta: Float = 0) {
        chunks(count) { start, length in VectorMath.map(length, x + start, y + start) { $0 * alpha + beta } }
    }

    /// Σ x
    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        VectorMath.sum(count, x)
    }

    /// Σ x ⊙ y
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        var total: Float = 0
        var index = 0
        var partial = FloatVector.zero
        while index + VectorMath.width <= count {
            partial += VectorMath.load(x + index) * VectorMath.load(y + index)
            index += VectorMath.width
        }
        total = partial.sum()
        while index < count {
            total += x[index] * y[index]
            index += 1
        }
        return total
    }

    /// Calls `body(row)` for every row of a [rowCount, columns] buffer, the
    /// rows split over the workers (short buffers stay on the calling thread).
    @inline(__always)
    public static func eachRow(_ rowCount: Int, columns: Int, _ body: (Int) -> Void) {
        Parallel.forRanges(rowCount, minimumChunk: max(1, parallelGrain / max(columns, 1))) { range in
            for row in range { body(row) }
        }
    }

    /// Splits the columns of a [rowCount, columns] buffer over the workers,
    /// so each worker owns a slice of the per-column results, and calls
    /// `body(offset, slice)` for every row's part of each slice.
    @inline(__always)
    static func eachColumnSlice(_ rowCount: Int, columns: Int, _ body: (Int, Range<Int>) -> Void) {
        Parallel.forRanges(columns, minimumChunk: 64) { range in
            for row in 0..<rowCount { body(row * columns + range.lowerBound, range) }
        }
    }

    /// rows[r, :] += vector for every row: bias and position-embedding adds.
    public static func addRowVector(_ vector: UnsafePointer<Float>, to rows: UnsafeMutablePointer<Float>, rowCount: Int, columns: Int) {
        eachRow(rowCount, columns: columns) { row in
            let line = rows + row * columns
            VectorMath.map(columns, line, vector, line) { $0 + $1 }
        }
    }

    /// sums[c] += Σ_r rows[r, c]: the gradient of a broadcast row vector.
    public static func accumulateColumnSums(_ rows: UnsafePointer<Float>, rowCount: Int, columns: Int, into sums: UnsafeMutablePointer<Float>) {
        eachColumnSlice(rowCount, columns: columns) { offset, slice in
            VectorMath.map(slice.count, rows + offset, sums + slice.lowerBound, sums + slice.lowerBound) { $0 + $1 }
        }
    }

    /// rows[r, :] ⊙= vector for every row: LayerScale's per-channel factors.
    public static func multiplyRowVector(_ vector: UnsafePointer<Float>, into rows: UnsafeMutablePointer<Float>, rowCount: Int, columns: Int) {
        eachRow(rowCount, columns: columns) { row in
            let line = rows + row * columns
            VectorMath.map(columns, line, vector, line) { $0 * $1 }
        }
    }

    /// into[r, :] += rows[r, :] ⊙ vector for every row: the gradient that
    /// reaches the rows of a product with a broadcast row vector.
    public static func accumulateRowVectorProduct(_ rows: UnsafePointer<Float>, _ vector: UnsafePointer<Float>,
                                                  into target: UnsafeMutablePointer<Float>, rowCount: Int, columns: Int) {
        eachRow(rowCount, columns: columns) { row in
            let offset = row * columns
            VectorMath.accumulate(columns, rows + offset, vector, into: target + offset) { a, b, sum in sum + a * b }
        }
    }

    /// sums[c] += Σ_r x[r, c]·y[r, c]: the gradient of a broadcast row-vector factor.
    public static func accumulateColumnProductSums(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, rowCount: Int, columns: Int,
                                                   into sums: UnsafeMutablePointer<Float>) {
        eachColumnSlice(rowCount, columns: columns) { offset, slice in
            VectorMath.accumulate(slice.count, x + offset, y + offset, into: sums + slice.lowerBound) { a, b, sum in sum + a * b }
        }
    }

    /// Copies a [rows, columns] block between buffers with different row strides.
    public static func copyRows(from source: UnsafePointer<Float>, sourceStride: Int,
                                to destination: UnsafeMutablePointer<Float>, destinationStride: Int,
                                rows: Int, columns: Int) {
        for row in 0..<rows {
            (destination + row * destinationStride).update(from: source + row * sourceStride, count: columns)
        }
    }

    /// Out-of-place transpose of each [rows, columns] matrix in a batch.
    public static func transpose(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, rows: Int, columns: Int) {
        let block = 32
        Parallel.forEach(batch * ((rows + block - 1) / block)) { task in
            let matrix = task / ((rows + block - 1) / block)
            let rowStart = (task % ((rows + block - 1) / block)) * block
            let source = x + matrix * rows * columns
            let target = y + matrix * rows * columns
            for columnStart in stride(from: 0, to: columns, by: block) {
                for row in rowStart..<min(rowStart + block, rows) {
                    for column in columnStart..<min(columnStart + block, columns) {
                        target[column * rows + row] = source[row * columns + column]
                    }
                }
            }
        }
    }
}
