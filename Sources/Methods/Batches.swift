import Formats
import Kernels
import Models

/// Turns a labelled image source into model-ready batches.
public struct BatchLoader: Sendable {
    public let source: any LabelledImageSource
    public let preprocessing: Preprocessing
    /// Random shifts of up to this many pixels (0: no augmentation).
    public let augmentShift: Int
    /// Whether augmentation also mirrors half the images left to right.
    /// Fashion-MNIST's shoes all point left, so a mirrored one is a view the
    /// test split never shows.
    public let augmentMirror: Bool

    public init(source: any LabelledImageSource, preprocessing: Preprocessing, augmentShift: Int = 0, augmentMirror: Bool = true) {
        self.source = source
        self.preprocessing = preprocessing
        self.augmentShift = augmentShift
        self.augmentMirror = augmentMirror
    }

    /// The augmentation as checkpoints record it, so a resume with other
    /// augmentation is refused: "augment=1/mirror", "augment=1" or "augment=0".
    public var augmentationFingerprint: String {
        "augment=\(augmentShift)\(augmentShift > 0 && augmentMirror ? "/mirror" : "")"
    }

    /// Images [B, C, H, W] normalised for the model, and their labels.
    /// Augmentation draws from `generator` when `augment` is set.
    public func batch(_ indices: [Int], augment: Bool, generator: inout SeededGenerator) throws -> (images: Tensor, labels: [Int]) {
        let (channels, height, width) = (preprocessing.inputSize[0], preprocessing.inputSize[1], preprocessing.inputSize[2])
        let plane = channels * height * width
        let images = Tensor(uninitialized: [indices.count, channels, height, width])
        // Uncovered pixels get the normalised value of black.
        let black = (0..<channels).map { -preprocessing.mean[$0] / preprocessing.std[$0] }
        for (position, index) in indices.enumerated() {
            let prepared = ImagePreprocessor.prepare(try source.image(at: index), for: preprocessing).tensor
            let target = images.pointer + position * plane
            if augment && augmentShift > 0 {
                let dy = Int.random(in: -augmentShift...augmentShift, using: &generator)
                let dx = Int.random(in: -augmentShift...augmentShift, using: &generator)
                // Drawn even when mirroring is off, so the shifts match a mirrored run's.
                let mirror = Bool.random(using: &generator) && augmentMirror
                Augment.shiftAndMirror(prepared.pointer, channels: channels, height: height, width: width, dy: dy, dx: dx,
                                       mirror: mirror, fill: black, into: target)
            } else {
                target.update(from: prepared.pointer, count: plane)
            }
        }
        return (images, indices.map { source.label(at: $0) })
    }
}
