import Formats
import Foundation
import Kernels
import Methods
import Models

/// The README.md of a trained model folder: how it was made and how good it is.
enum ModelCard {
    /// Where a trained ViT folder's scorer.safetensors came from.
    enum ScorerOrigin {
        /// Trained with the backbone; it chose the tokens that dropping steps kept.
        case trainedAlongside(layer: Int)
        /// Copied unchanged from the folder that was fine-tuned.
        case keptFrom(folder: String, layer: Int)

        var row: String {
            switch self {
            case .trainedAlongside(let layer):
                "| Scorer | trained alongside on Grad-CAM, scoring tokens after block \(layer); it chose the tokens that token-dropping steps kept (scorer.safetensors) |"
            case .keptFrom(let folder, let layer):
                "| Scorer | kept unchanged from `\(folder)`, scoring tokens after block \(layer): fitted to that backbone, not to this one (scorer.safetensors; `glimpse train-scorer` refits it) |"
            }
        }
    }

    /// The command line that made the folder, as a user would type it.
    private static var invocation: String {
        (["glimpse"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
    }

    /// How a Glimpse card says its folder was made, so that the card of a
    /// folder fine-tuned from it can show the whole recipe and its time.
    struct History {
        /// The commands, oldest first.
        let commands: [String]
        /// Wall time of all of them.
        let minutes: Double

        /// The history in the card at `path`; nil when there is none or it
        /// is not a Glimpse card (a timm download, say).
        init?(card path: String) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
            let lines = text.components(separatedBy: "\n")
            guard let heading = lines.firstIndex(of: "Trained with:"),
                  let fence = lines[heading...].firstIndex(of: "```sh"),
                  let end = lines[(fence + 1)...].firstIndex(of: "```"), end > fence + 1,
                  let row = lines.first(where: { $0.hasPrefix(wallTimePrefix) }) else { return nil }
            // A fine-tuned card gives the time in all after its own; the first figure otherwise.
            let figure = row.components(separatedBy: "; ").dropFirst().first ?? String(row.dropFirst(wallTimePrefix.count))
            guard let minutes = Double(figure.prefix { $0.isNumber || $0 == "." }) else { return nil }
            self.commands = Array(lines[(fence + 1)..<end])
            self.minutes = minutes
        }
    }

    /// The folder a ViT was fine-tuned from, as the user named it, and its card's history.
    struct Start {
        let reference: String
        let history: History?
    }

    static func write(to folder: String, config: ViTConfig, data: String, trainImages: Int,
                      testAccuracy: Double, testImages: Int, minutes: Double, scorer: ScorerOrigin?, teacher: String?,
                      startedFrom start: Start?) throws {
        let extraRows = [
            scorer?.row,
            teacher.map {
                "| Teacher | `\($0)` (glimpse_cnn; see its README.md): part of the loss is cross-entropy against its top class |"
            },
        ].compactMap { $0 }
        try write(to: folder, description: """
            A Vision Transformer \(start.map { "fine-tuned by Glimpse from `\($0.reference)`" } ?? "trained by Glimpse from scratch") (timm `VisionTransformer` layout:
            config.json with `model_args` + model.safetensors\(glimpseOwnParts(config))).
            """, rows: [
                "| Architecture | \(config.architecture): \(config.imageHeight)×\(config.imageWidth) input, \(stemDescription(config))patch \(config.patchSize)\(config.patchHiddenWidth > 0 ? " through a hidden layer of width \(config.patchHiddenWidth) with GELU" : "") (grid \(config.gridRows)×\(config.gridColumns)), width \(config.embedDimension), depth \(config.depth), \(config.heads) heads, MLP ratio \(config.mlpRatio)\(config.qkvBias ? "" : ", no qkv bias")\(config.layerScaleInit != nil ? ", LayerScale" : "")\(config.registerTokens > 0 ? ", \(config.registerTokens) register tokens" : ""), head on \(config.globalPool == .token ? "the CLS token" : "the mean of the patch tokens")\(config.classToken ? "" : " (no CLS token)") |",
                "| Parameters | \(VisionTransformer.expectedShapes(config).reduce(0) { $0 + $1.1.reduce(1, *) }) |",
                "| Data | \(data), \(trainImages) training images |",
                "| Test accuracy | \(String(format: "%.2f", testAccuracy * 100))% on \(testImages) test images (dense) |",
                wallTimeRow(minutes, start: start?.history),
            ] + extraRows, earlierCommands: start?.history?.commands ?? [])
    }

    /// The note on what timm lacks: empty for a model timm can load.
    private static func glimpseOwnParts(_ config: ViTConfig) -> String {
        let parts = [config.stemWidths.isEmpty ? nil : "its convolutional stem, `model_args.stem_widths`,",
                     config.patchHiddenWidth > 0 ? "its patch hidden layer, `model_args.patch_hidden_width`," : nil].compactMap { $0 }
        guard !parts.isEmpty else { return "" }
        return "; \(parts.joined(separator: " and ")) \(parts.count == 1 ? "is" : "are") Glimpse's own, so timm cannot load it"
    }

    /// The stem's part of the architecture row: empty without one.
    private static func stemDescription(_ config: ViTConfig) -> String {
        config.stemWidths.isEmpty ? "" : "stem of 3×3 convolutions with GELU, widths \(config.stemWidths.map(String.init).joined(separator: "-")), "
    }

    /// The card of a convolutional classifier.
    static func write(to folder: String, convNet config: ConvNetConfig, data: String, trainImages: Int,
                      testAccuracy: Double, testImages: Int, minutes: Double) throws {
        let parameters = ConvNet.expectedShapes(config).filter { !$0.0.contains("running_") }.reduce(0) { $0 + $1.1.reduce(1, *) }
        try write(to: folder, description: """
            A small convolutional classifier trained by Glimpse from scratch (\(ConvNetConfig.architectureName):
            config.json with `model_args` + model.safetensors), a teacher for `glimpse train vit --teacher`.
            """, rows: [
                "| Architecture | \(config.imageSize)×\(config.imageSize) input; stages of 3×3 conv, batch norm, ReLU with widths \(config.widths.map(String.init).joined(separator: "-")), 2×2 max pool between stages; global average pool; linear head |",
                "| Parameters | \(parameters) |",
                "| Data | \(data), \(trainImages) training images |",
                "| Test accuracy | \(String(format: "%.2f", testAccuracy * 100))% on \(testImages) test images |",
                wallTimeRow(minutes),
            ])
    }

    private static let wallTimePrefix = "| Wall time | "

    /// This run's time; after a start with a history, also the time in all.
    private static func wallTimeRow(_ minutes: Double, start: History? = nil) -> String {
        let total = start.map { "; \(String(format: "%.1f", minutes + $0.minutes)) min in all, with the \(String(format: "%.1f", $0.minutes)) min its start's card gives" } ?? ""
        return "\(wallTimePrefix)\(String(format: "%.1f", minutes)) min on this machine (\(ProcessInfo.processInfo.activeProcessorCount) cores, OpenBLAS \(BLASCoreType.loaded) kernels)\(total) |"
    }

    /// A card: the folder's name, `description`, a table of `rows` and the
    /// command lines that made the folder, `earlierCommands` first.
    private static func write(to folder: String, description: String, rows: [String], earlierCommands: [String] = []) throws {
        let text = """
        # \(URL(fileURLWithPath: folder).lastPathComponent)

        \(description)

        | | |
        | --- | --- |
        \(rows.joined(separator: "\n"))

        Trained with:

        ```sh
        \((earlierCommands + [invocation]).joined(separator: "\n"))
        ```

        """
        try AtomicFileWriter.write(to: folder + "/README.md") { try $0.append(Array(text.utf8)) }
    }

    static let scorerHeading = "## Scorer"

    /// Replaces the card's Scorer section (or adds one) after train-scorer.
    static func noteScorer(in folder: String, layer: Int, images: Int, quality: ScorerQuality,
                           minutes: Double) throws {
        let path = folder + "/README.md"
        let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let kept = existing.components(separatedBy: "\n" + scorerHeading).first ?? existing
        let section = """

        \(scorerHeading)

        Scores tokens after block \(layer). Fitted to the frozen backbone's Grad-CAM on \(images) training images in
        \(String(format: "%.1f", minutes)) min: held-out MSE \(String(format: "%.4f", quality.meanSquaredError)), and its top half of
        tokens holds \(String(format: "%.1f", quality.topHalfOverlap * 100))% of Grad-CAM's top half.

        ```sh
        \(invocation)
        ```

        """
        let text = kept.hasSuffix("\n") ? kept + section : kept + "\n" + section
        try AtomicFileWriter.write(to: path) { try $0.append(Array(text.utf8)) }
    }
}
