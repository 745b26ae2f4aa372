import Formats
import Foundation
import Models

/// The README.md of a trained model folder: how it was made and how good it is.
enum ModelCard {
    static func write(to folder: String, command: String, config: ViTConfig, data: String, trainImages: Int,
                      testAccuracy: Double, testImages: Int, minutes: Double) throws {
        let text = """
        # \(URL(fileURLWithPath: folder).lastPathComponent)

        A Vision Transformer trained by Glimpse from scratch (timm `VisionTransformer` layout:
        config.json with `model_args` + model.safetensors).

        | | |
        | --- | --- |
        | Architecture | \(config.architecture): \(config.imageHeight)×\(config.imageWidth) input, patch \(config.patchSize) (grid \(config.gridRows)×\(config.gridColumns)), width \(config.embedDimension), depth \(config.depth), \(config.heads) heads, MLP ratio \(config.mlpRatio) |
        | Parameters | \(VisionTransformer.expectedShapes(config).reduce(0) { $0 + $1.1.reduce(1, *) }) |
        | Data | \(data), \(trainImages) training images |
        | Test accuracy | \(String(format: "%.2f", testAccuracy * 100))% on \(testImages) test images (dense) |
        | Wall time | \(String(format: "%.1f", minutes)) min on this machine (\(ProcessInfo.processInfo.activeProcessorCount) cores) |

        Trained with:

        ```sh
        \(command)
        ```

        """
        try AtomicFileWriter.write(to: folder + "/README.md") { try $0.append(Array(text.utf8)) }
    }
}
