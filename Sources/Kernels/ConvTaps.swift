/// The part of the output that one kernel tap (ky, kx) reads from inside the
/// input: every convolution loop here walks taps and then these windows, so
/// padding costs no per-element bounds checks.
struct ConvTapWindow {
    /// Index of the tap in the flattened kernel, ky · kernelWidth + kx.
    let tap: Int
    /// Output rows and columns whose input position lies inside the input.
    let rows: Range<Int>
    let columns: Range<Int>
    /// Input index that output (0, 0) would read; negative when it lies in the padding.
    let inputOrigin: Int
    /// Input index steps per output row and per output column.
    let inputRowStep: Int
    let inputColumnStep: Int
    let outputWidth: Int

    /// Whether the tap reads inside the input for every output position of
    /// the output rows `band`.
    func covers(_ band: Range<Int>) -> Bool {
        columns.count == outputWidth && rows.clamped(to: band) == band
    }

    /// Calls `body(outputStart, inputStart, count)` for each output row of
    /// the window inside `band`; output indices count from the band's first
    /// row. Along a span the output index steps by 1 and the input index by
    /// `inputColumnStep`.
    @inline(__always)
    func forEachSpan(in band: Range<Int>, _ body: (_ outputStart: Int, _ inputStart: Int, _ count: Int) -> Void) {
        guard !columns.isEmpty else { return }
        let first = columns.lowerBound
        for row in rows.clamped(to: band) {
            body((row - band.lowerBound) * outputWidth + first,
                 inputOrigin + row * inputRowStep + first * inputColumnStep, columns.count)
        }
    }
}

extension Conv2dGeometry {
    /// Calls `body` with the window of every kernel tap in kernel order.
    @inline(__always)
    func forEachTapWindow(_ body: (ConvTapWindow) -> Void) {
        for ky in 0..<kernelHeight {
            let rowOffset = ky * dilationY - paddingY
            let rows = Self.validOutputs(offset: rowOffset, stride: strideY, inputSize: height, outputSize: outHeight)
            for kx in 0..<kernelWidth {
                let columnOffset = kx * dilationX - paddingX
                let columns = Self.validOutputs(offset: columnOffset, stride: strideX, inputSize: width, outputSize: outWidth)
                body(ConvTapWindow(
                    tap: ky * kernelWidth + kx, rows: rows, columns: columns,
                    inputOrigin: rowOffset * width + columnOffset,
                    inputRowStep: strideY * width, inputColumnStep: strideX, outputWidth: outWidth))
            }
        }
    }

    /// Outputs o with o · stride + offset inside 0..<inputSize.
    static func validOutputs(offset: Int, stride: Int, inputSize: Int, outputSize: Int) -> Range<Int> {
        let lower = max(0, ceilingDivide(-offset, stride))
        let upper = min(outputSize, floorDivide(inputSize - 1 - offset, stride) + 1)
        return lower..<max(lower, upper)
    }
}

/// Division rounding towards −∞ (Swift's `/` truncates), for positive divisors.
func floorDivide(_ dividend: Int, _ divisor: Int) -> Int {
    let quotient = dividend / divisor
    return dividend % divisor < 0 ? quotient - 1 : quotient
}

func ceilingDivide(_ dividend: Int, _ divisor: Int) -> Int {
    -floorDivide(-dividend, divisor)
}
