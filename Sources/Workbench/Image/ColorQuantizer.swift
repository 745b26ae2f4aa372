/// An RGB colour with channels in 0...1.
public typealias RGB = SIMD3<Float>

/// Maps RGB colours to the xterm 256-colour palette, restricted to the
/// 6×6×6 cube (16–231) and the grey ramp (232–255).
public enum ColorQuantizer {
    /// The channel levels of the xterm colour cube.
    public static let cubeLevels: [Float] = [0, 95, 135, 175, 215, 255]

    /// Nearest cube level index for each 8-bit channel value.
    private static let nearestCubeStep: [Int] = (0...255).map { value in
        cubeLevels.indices.min { abs(cubeLevels[$0] - Float(value)) < abs(cubeLevels[$1] - Float(value)) }!
    }

    /// The nearest palette entry by squared RGB distance.
    public static func paletteColor(for colour: RGB) -> PaletteColor {
        let clamped = colour.clamped(lowerBound: RGB(repeating: 0), upperBound: RGB(repeating: 1)) * 255
        let bytes = SIMD3<Int>(Int(clamped.x.rounded()), Int(clamped.y.rounded()), Int(clamped.z.rounded()))
        let steps = SIMD3<Int>(nearestCubeStep[bytes.x], nearestCubeStep[bytes.y], nearestCubeStep[bytes.z])
        let cube = RGB(cubeLevels[steps.x], cubeLevels[steps.y], cubeLevels[steps.z])
        let greyStep = min(23, max(0, Int(((clamped.x + clamped.y + clamped.z) / 3 - 8) / 10 + 0.5)))
        let grey = RGB(repeating: Float(8 + 10 * greyStep))
        let cubeDistance = squaredDistance(cube, clamped)
        let greyDistance = squaredDistance(grey, clamped)
        if greyDistance < cubeDistance { return PaletteColor(index: Int16(232 + greyStep)) }
        return PaletteColor(index: Int16(16 + 36 * steps.x + 6 * steps.y + steps.z))
    }

    /// The RGB value of a palette entry (16–255); the terminal default reads as black.
    public static func rgb(of colour: PaletteColor) -> RGB {
        let index = Int(colour.index)
        switch index {
        case 16...231:
            let offset = index - 16
            return RGB(cubeLevels[offset / 36], cubeLevels[(offset / 6) % 6], cubeLevels[offset % 6]) / 255
        case 232...255:
            return RGB(repeating: Float(8 + 10 * (index - 232)) / 255)
        default:
            return RGB(repeating: 0)
        }
    }

    private static func squaredDistance(_ a: RGB, _ b: RGB) -> Float {
        let difference = a - b
        return (difference * difference).sum()
    }
}
