/// Training-time image augmentation on [C, H, W] planes.
public enum Augment {
    /// Writes `source` shifted by (dy, dx) pixels, optionally mirrored left
    /// to right, into `target`; uncovered pixels take `fill`. Equivalent to
    /// a random crop of a padded image, the usual small-image augmentation.
    public static func shiftAndMirror(_ source: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                                      dy: Int, dx: Int, mirror: Bool, fill: [Float],
                                      into target: UnsafeMutablePointer<Float>) {
        for channel in 0..<channels {
            let plane = source + channel * height * width
            let out = target + channel * height * width
            let background = fill[channel]
            for y in 0..<height {
                let sourceY = y - dy
                let row = out + y * width
                guard sourceY >= 0 && sourceY < height else {
                    row.update(repeating: background, count: width)
                    continue
                }
                let line = plane + sourceY * width
                for x in 0..<width {
                    let shifted = x - dx
                    let sourceX = mirror ? width - 1 - shifted : shifted
                    row[x] = shifted >= 0 && shifted < width ? line[sourceX] : background
                }
            }
        }
    }
}
