/// Non-overlapping square patches of an NCHW batch, laid out as the rows
/// of a matrix so a patch embedding is one GEMM against the flattened
/// [D, C, p, p] convolution weight.
public enum Patches {
    /// images [B, C, H, W] → patches [B, (H/p)(W/p), C·p·p], each row in
    /// (channel, y, x) order; H and W must be multiples of p.
    public static func extract(_ images: UnsafePointer<Float>, batch: Int, channels: Int, height: Int, width: Int,
                               patch: Int, into patches: UnsafeMutablePointer<Float>) {
        let rows = height / patch, columns = width / patch
        let rowLength = channels * patch * patch
        Parallel.forRanges(batch * rows) { range in
            for task in range {
                let item = task / rows, gridRow = task % rows
                for gridColumn in 0..<columns {
                    var target = patches + ((item * rows + gridRow) * columns + gridColumn) * rowLength
                    for channel in 0..<channels {
                        let plane = images + (item * channels + channel) * height * width
                        for y in 0..<patch {
                            let source = plane + (gridRow * patch + y) * width + gridColumn * patch
                            target.update(from: source, count: patch)
                            target += patch
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of `extract`: adds patch rows back into image positions.
    public static func accumulateImages(_ patches: UnsafePointer<Float>, batch: Int, channels: Int, height: Int, width: Int,
                                        patch: Int, into images: UnsafeMutablePointer<Float>) {
        let rows = height / patch, columns = width / patch
        let rowLength = channels * patch * patch
        Parallel.forRanges(batch * rows) { range in
            for task in range {
                let item = task / rows, gridRow = task % rows
                for gridColumn in 0..<columns {
                    var source = patches + ((item * rows + gridRow) * columns + gridColumn) * rowLength
                    for channel in 0..<channels {
                        let plane = images + (item * channels + channel) * height * width
                        for y in 0..<patch {
                            let target = plane + (gridRow * patch + y) * width + gridColumn * patch
                            VectorMath.map(patch, target, source, target) { $0 + $1 }
                            source += patch
                        }
                    }
                }
            }
        }
    }
}
