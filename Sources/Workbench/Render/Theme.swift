/// Characters that differ between Unicode and plain-ASCII output.
public struct Glyphs: Sendable {
    public let horizontal: Unicode.Scalar
    public let vertical: Unicode.Scalar
    public let corners: (topLeft: Unicode.Scalar, topRight: Unicode.Scalar,
                         bottomLeft: Unicode.Scalar, bottomRight: Unicode.Scalar)
    /// Bar cells from empty to full, in equal steps.
    public let barSteps: [Unicode.Scalar]
    public let spinner: [String]
    public let arrow: String
    public let separator: String
    public let dashedLine: Unicode.Scalar

    public static let unicode = Glyphs(
        horizontal: "─", vertical: "│", corners: ("┌", "┐", "└", "┘"),
        barSteps: [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"],
        spinner: ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"], arrow: "→", separator: "·", dashedLine: "┄")

    public static let ascii = Glyphs(
        horizontal: "-", vertical: "|", corners: ("+", "+", "+", "+"),
        barSteps: [" ", "#"], spinner: ["|", "/", "-", "\\"], arrow: "->", separator: "|", dashedLine: "-")
}

/// Cell styles for each kind of text. The colour theme uses palette
/// indices 16–255 only; the ASCII theme uses attributes only.
public struct Theme: Sendable {
    public let usesColour: Bool
    public let glyphs: Glyphs
    public let text: CellStyle
    public let muted: CellStyle
    public let heading: CellStyle
    public let border: CellStyle
    public let error: CellStyle
    public let selection: CellStyle
    public let highlight: CellStyle
    public let bar: CellStyle
    public let secondaryBar: CellStyle
    public let statusBar: CellStyle
    public let activeTab: CellStyle

    public static let colour = Theme(
        usesColour: true, glyphs: .unicode,
        text: .plain,
        muted: CellStyle(foreground: PaletteColor(index: 246)),
        heading: CellStyle(foreground: PaletteColor(index: 117), attributes: .bold),
        border: CellStyle(foreground: PaletteColor(index: 240)),
        error: CellStyle(foreground: PaletteColor(index: 196), attributes: .bold),
        selection: CellStyle(foreground: PaletteColor(index: 231), background: PaletteColor(index: 25)),
        highlight: CellStyle(foreground: PaletteColor(index: 214), attributes: .bold),
        bar: CellStyle(foreground: PaletteColor(index: 75)),
        secondaryBar: CellStyle(foreground: PaletteColor(index: 214)),
        statusBar: CellStyle(foreground: PaletteColor(index: 252), background: PaletteColor(index: 236)),
        activeTab: CellStyle(foreground: PaletteColor(index: 16), background: PaletteColor(index: 214), attributes: .bold))

    public static let ascii = Theme(
        usesColour: false, glyphs: .ascii,
        text: .plain, muted: .plain,
        heading: CellStyle(attributes: .bold), border: .plain,
        error: CellStyle(attributes: .bold), selection: CellStyle(attributes: .reverse),
        highlight: CellStyle(attributes: .bold), bar: .plain, secondaryBar: .plain,
        statusBar: .plain, activeTab: CellStyle(attributes: .reverse))

    /// A per-series colour for plots, by policy position; bold text in ASCII.
    public func seriesStyle(_ index: Int) -> CellStyle {
        guard usesColour else { return CellStyle(attributes: .bold) }
        let colours: [Int16] = [250, 203, 214, 81, 141]
        return CellStyle(foreground: PaletteColor(index: colours[index % colours.count]), attributes: .bold)
    }
}
