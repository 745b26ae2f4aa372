/// The input rows and columns that each output row and column of a pooling
/// reads, already clipped to the input: fixed-kernel and adaptive pools
/// differ only in how these ranges are made, so both run the loops below.
struct PoolWindows {
    let planes: Int
    let height: Int
    let width: Int
    let rows: [Range<Int>]
    let columns: [Range<Int>]

    var inputPlane: Int { height * width }
    var outputPlane: Int { rows.count * columns.count }

    /// Flat index within the plane of the window's maximum. The first
    /// maximum wins and NaN wins over numbers, as in PyTorch; forward and
    /// backward both call this so they always agree on the winner.
    @inline(__always)
    func argmax(_ plane: UnsafePointer<Float>, rows: Range<Int>, columns: Range<Int>) -> Int {
        var best = rows.lowerBound * width + columns.lowerBound
        for y in rows {
            for index in y * width + columns.lowerBound..<y * width + columns.upperBound
            where plane[index] > plane[best] || (plane[index].isNaN && !plane[best].isNaN) {
                best = index
            }
        }
        return best
    }

    /// Calls `body(planeStart, rows, columns, output)` for every output
    /// position, planes split across the workers: `planeStart` is the flat
    /// index of the input plane's first element, `output` the flat index of
    /// the position in the output tensor.
    @inline(__always)
    func forEachWindow(_ body: (_ planeStart: Int, _ rows: Range<Int>, _ columns: Range<Int>, _ output: Int) -> Void) {
        let outputPlane = self.outputPlane
        Parallel.forRanges(planes) { planeRange in
            for plane in planeRange {
                var output = plane * outputPlane
                for rowWindow in rows {
                    for columnWindow in columns {
                        body(plane * inputPlane, rowWindow, columnWindow, output)
                        output += 1
                    }
                }
            }
        }
    }

    func maxForward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        forEachWindow { planeStart, rows, columns, target in
            output[target] = input[planeStart + argmax(input + planeStart, rows: rows, columns: columns)]
        }
    }

    /// Routes each output gradient to its window's maximum.
    func maxBackward(input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                     inputGradient: UnsafeMutablePointer<Float>) {
        forEachWindow { planeStart, rows, columns, source in
            inputGradient[planeStart + argmax(input + planeStart, rows: rows, columns: columns)] += outputGradient[source]
        }
    }

    /// Window means; `fixedDivisor` replaces the window's own area when the
    /// padding counts towards the mean (PyTorch's count_include_pad).
    func averageForward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, fixedDivisor: Int?) {
        forEachWindow { planeStart, rows, columns, target in
            var sum: Float = 0
            for y in rows {
                let line = input + planeStart + y * width
                for x in columns { sum += line[x] }
            }
            output[target] = sum / Float(fixedDivisor ?? rows.count * columns.count)
        }
    }

    func averageBackward(outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>,
                         fixedDivisor: Int?) {
        forEachWindow { planeStart, rows, columns, source in
            let share = outputGradient[source] / Float(fixedDivisor ?? rows.count * columns.count)
            for y in rows {
                let line = inputGradient + planeStart + y * width
                for x in columns { line[x] += share }
            }
        }
    }
}
