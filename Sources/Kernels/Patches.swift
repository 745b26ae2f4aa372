/// Non-overlapping square patches of an NCHW batch, laid out as the rows
/// of a matrix so a patch embedding is one GEMM against the flattened
/// [D, C, p, p] convolution weight.
public enum Patches {
    /// images [B, C, H, W] → patches [B, (H/p)(W/p), C·p·p], each row in
    /// (channel, y, x) order; H and W must be multiples of p.
    public static func extract(_ images: UnsafePointer<Float>, batch: Int, channels: Int, height: Int, width: Int,
                               patch: Int, into patches: UnsafeMutablePointer<Float>) {
        forEachPatchRow(batch: batch, channels: channels, height: height, width: width, patch: patch) { imageOffset, patchOffset in
            (patches + patchOffset).update(from: images + imageOffset, count: patch)
        }
    }

    /// The adjoint of `extract`: adds patch rows back into image positions.
    public static func accumulateImages(_ patches: UnsafePointer<Float>, batch: Int, channels: Int, height: Int, width: Int,
                                        patch: Int, into images: UnsafeMutablePointer<Float>) {
        forEachPatchRow(batch: batch, channels: channels, height: height, width: width, patch: patch) { imageOffset, patchOffset in
            let target = images + imageOffset
            VectorMath.map(patch, target, patches + patchOffset, target) { $0 + $1 }
        }
    }

    /// Calls `body(imageOffset, patchOffset)` for every run of `patch`
    /// pixels that one patch row takes from one image row. Work is split by
    /// rows of patches, so no two workers touch the same pixels.
    private static func forEachPatchRow(batch: Int, channels: Int, height: Int, width: Int, patch: Int,
                                        _ body: (Int, Int) -> Void) {
        let rows = height / patch, columns = width / patch
        let rowLength = channels * patch * patch
        Parallel.forRanges(batch * rows) { range in
            for task in range {
                let item = task / rows, gridRow = task % rows
                for gridColumn in 0..<columns {
                    var patchOffset = ((item * rows + gridRow) * columns + gridColumn) * rowLength
                    for channel in 0..<channels {
                        let plane = (item * channels + channel) * height * width
                        for y in 0..<patch {
                            body(plane + (gridRow * patch + y) * width + gridColumn * patch, patchOffset)
                            patchOffset += patch
                        }
                    }
                }
            }
        }
    }
}
