import Foundation
import Methods

/// The side panel: predictions, budget, cost, timings and the cursor token.
enum SidePanel {
    static func draw(_ state: WorkbenchState, in rect: Rect, theme: Theme, into screen: inout Screen) {
        let inside = screen.drawPanel(rect, title: "Analysis", theme: theme)
        screen.write(lines(state, width: inside.width, theme: theme), in: inside)
    }

    static func lines(_ state: WorkbenchState, width: Int, theme: Theme) -> [StyledLine] {
        guard let analysis = state.analysis else { return modelLines(state, theme: theme) + [budgetLine(state, nil, theme)] }
        return [heading("Dense top-5", milliseconds: analysis.timingsMs["forward"], width: width, theme: theme)]
            + ranking(analysis.top, width: width, barStyle: theme.bar, theme: theme)
            + [heading("Pruned top-5", milliseconds: analysis.timingsMs["pruned_forward"], width: width, theme: theme)]
            + ranking(analysis.prunedTop, width: width, barStyle: theme.secondaryBar, theme: theme)
            + [budgetLine(state, analysis, theme), costLine(analysis, theme), targetLine(state, analysis, theme)]
            + tokenLines(state, analysis, theme: theme)
            + [timesLine(analysis, theme)]
            // Without colour the heat is drawn alone, so opacity means nothing there.
            + (theme.usesColour ? [overlayLine(state, theme)] : [])
            + [legendLine(theme)]
    }

    private static func modelLines(_ state: WorkbenchState, theme: Theme) -> [StyledLine] {
        guard let model = state.model else { return [StyledLine("No model", theme.muted)] }
        return [
            label("Model").appending(model.name, theme.text),
            label("Tokens").appending("\(model.gridRows)×\(model.gridColumns), pruned after block "
                + "\(model.pruningBlock)/\(model.depth)", theme.text),
            label("Classes").appending("\(model.classLabels.count)", theme.text),
        ]
    }

    private static func label(_ text: String) -> StyledLine {
        StyledLine(text.padding(toLength: 8, withPad: " ", startingAt: 0), .plain.adding(.bold))
    }

    private static func heading(_ title: String, milliseconds: Double?, width: Int, theme: Theme) -> StyledLine {
        let timing = milliseconds.map { String(format: "%.1f ms", $0) } ?? ""
        let gap = max(1, width - DisplayText.width(of: title) - timing.count)
        return StyledLine(title, theme.heading).appending(String(repeating: " ", count: gap) + timing, theme.muted)
    }

    private static func ranking(_ scores: [ClassScore], width: Int, barStyle: CellStyle, theme: Theme) -> [StyledLine] {
        let barWidth = max(4, width / 3)
        let labelWidth = max(1, width - barWidth - 9)
        return scores.prefix(5).map { score in
            let name = DisplayText.truncated(score.label, to: labelWidth)
                .padding(toLength: labelWidth, withPad: " ", startingAt: 0)
            return StyledLine(" " + name + " ", theme.text)
                .appending(theme.barText(Double(score.probability), width: barWidth), barStyle)
                .appending(String(format: " %5.1f%%", Double(score.probability) * 100), theme.text)
        }
    }

    private static func budgetLine(_ state: WorkbenchState, _ analysis: Analysis?, _ theme: Theme) -> StyledLine {
        var line = label("Policy").appending(state.policy.rawValue + " ", theme.highlight)
        switch state.budgetMode {
        case .keepRate: line.append(String(format: "keep %.0f%%", state.keepRate * 100), theme.text)
        case .threshold: line.append(String(format: "score≥%.2f", state.threshold), theme.text)
        }
        if let analysis {
            line.append(" (\(analysis.kept.count)/\(analysis.gridRows * analysis.gridColumns))", theme.muted)
        }
        return line
    }

    private static func costLine(_ analysis: Analysis, _ theme: Theme) -> StyledLine {
        let saving = analysis.gflopsDense > 0 ? (1 - analysis.gflopsPruned / analysis.gflopsDense) * 100 : 0
        return label("GFLOPs").appending(String(format: "%.2f %@ %.2f", analysis.gflopsDense, theme.glyphs.arrow,
                                                analysis.gflopsPruned), theme.text)
            .appending(String(format: " (-%.0f%%)", saving), theme.muted)
    }

    private static func targetLine(_ state: WorkbenchState, _ analysis: Analysis, _ theme: Theme) -> StyledLine {
        let name = state.model?.classLabels.indices.contains(analysis.gradcamClass) == true
            ? state.model!.classLabels[analysis.gradcamClass] : "#\(analysis.gradcamClass)"
        return label("Target").appending(name, theme.text)
            .appending(state.targetClass == nil ? " (auto)" : " (chosen)", theme.muted)
    }

    private static func tokenLines(_ state: WorkbenchState, _ analysis: Analysis, theme: Theme) -> [StyledLine] {
        let index = state.cursor.index(columns: analysis.gridColumns)
        let isKept = analysis.kept.contains(index)
        let header = StyledLine("Token", theme.heading)
            .appending(" r\(state.cursor.row) c\(state.cursor.column) #\(index) ", theme.text)
            .appending(isKept ? "kept" : "pruned", isKept ? theme.highlight : theme.muted)
        func value(_ values: [Float]?) -> String {
            guard let values, values.indices.contains(index) else { return "—" }
            return String(format: "%.2f", values[index])
        }
        return [header, StyledLine(" Grad-CAM \(value(analysis.gradcam))  Scorer \(value(analysis.scorer))", theme.text)]
    }

    private static func timesLine(_ analysis: Analysis, _ theme: Theme) -> StyledLine {
        let parts = [("pre", "preprocess"), ("cam", "gradcam")].compactMap { short, key in
            analysis.timingsMs[key].map { String(format: "%@ %.1f", short, $0) }
        }
        return label("Times").appending(parts.joined(separator: " \(theme.glyphs.separator) ") + " ms", theme.muted)
    }

    private static func overlayLine(_ state: WorkbenchState, _ theme: Theme) -> StyledLine {
        label("Overlay").appending(String(format: "opacity %.0f%%", state.heatmapOpacity * 100), theme.text)
            .appending(state.showsGrid ? " \(theme.glyphs.separator) grid" : "", theme.muted)
    }

    /// The heat scale: Turbo swatches in colour, the density ramp in ASCII.
    private static func legendLine(_ theme: Theme) -> StyledLine {
        var line = label("Heat").appending("0 ", theme.muted)
        if theme.usesColour {
            let swatches = 12
            for step in 0..<swatches {
                let colour = ColorQuantizer.paletteColor(for: Colormap.turbo(Float(step) / Float(swatches - 1)))
                line.append(" ", CellStyle(background: colour))
            }
        } else {
            line.append(String(String.UnicodeScalarView(AsciiPainter.ramp)), theme.text)
        }
        return line.appending(" 1", theme.muted)
    }
}
