/// Perceptual colour maps for heat values in 0...1.
public enum Colormap {
    /// Coefficients of x⁰…x⁵, one RGB vector per power.
    private static let turboCoefficients: [RGB] = [
        RGB(0.13572138, 0.09140261, 0.10667330),
        RGB(4.61539260, 2.19418839, 12.64194608),
        RGB(-42.66032258, 4.84296658, -60.58204836),
        RGB(132.13108234, -14.18503333, 110.36276771),
        RGB(-152.94239396, 4.27729857, -89.90310912),
        RGB(59.28637943, 2.82956604, 27.34824973),
    ]

    /// Google's Turbo colormap, through its published degree-5 polynomial
    /// fit (Mikhailov, 2019). Inputs outside 0...1 (and NaN) are clamped.
    public static func turbo(_ value: Float) -> RGB {
        let x = value.isNaN ? 0 : min(max(value, 0), 1)
        // Horner's scheme, highest power first.
        let colour = turboCoefficients.reversed().reduce(RGB(repeating: 0)) { $0 * x + $1 }
        return colour.clamped(lowerBound: RGB(repeating: 0), upperBound: RGB(repeating: 1))
    }
}
