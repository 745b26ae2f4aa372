import Autodiff
import Kernels

/// The shape of a small convolutional classifier: stages of 3×3
/// convolution → batch norm → ReLU, a 2×2 max pool between stages, then a
/// global average pool and a linear head.
public struct ConvNetConfig: Sendable, Equatable {
    public static let architectureName = "glimpse_cnn"

    public var imageSize: Int
    public var inChannels: Int
    /// Output channels of each stage.
    public var widths: [Int]
    public var classes: Int
    public var labels: [String]
    public var preprocessing: Preprocessing
    public var batchNormEpsilon: Float = 1e-5
    public var batchNormMomentum: Float = 0.1

    public init(imageSize: Int, inChannels: Int, widths: [Int], classes: Int, labels: [String]? = nil,
                preprocessing: Preprocessing) {
        self.imageSize = imageSize
        self.inChannels = inChannels
        self.widths = widths
        self.classes = classes
        self.labels = labels ?? (0..<classes).map(String.init)
        self.preprocessing = preprocessing
    }

    /// Problems that make the shape unusable, or nil.
    public var inconsistency: String? {
        if imageSize <= 0 || inChannels <= 0 || classes <= 0 || widths.isEmpty || widths.contains(where: { $0 <= 0 }) {
            return "sizes and widths must be positive"
        }
        if imageSize >> (widths.count - 1) < 1 { return "\(widths.count) stages pool a \(imageSize)-px image below one pixel" }
        if labels.count != classes { return "\(labels.count) label names for \(classes) classes" }
        if preprocessing.inputSize != [inChannels, imageSize, imageSize] {
            return "input size \(preprocessing.inputSize) does not match [\(inChannels), \(imageSize), \(imageSize)]"
        }
        return preprocessing.inconsistency(channels: inChannels)
    }
}

/// A convolutional classifier with PyTorch state-dict names
/// (`stages.K.conv.weight`, `stages.K.bn.*`, `head.*`).
public final class ConvNet: ImageClassifier, @unchecked Sendable {
    public let config: ConvNetConfig
    public let parameters: Parameters

    public init(config: ConvNetConfig, parameters: Parameters) {
        self.config = config
        self.parameters = parameters
    }

    public var classCount: Int { config.classes }
    public var preprocessing: Preprocessing { config.preprocessing }

    /// Inference: each batch norm uses its running statistics, folded into
    /// the convolution before it.
    public func logits(_ images: Variable) -> Variable {
        forward(images) { stage, features in
            let prefix = "stages.\(stage)."
            let folded = BatchNorm2d.fold(convolutionWeight: parameters[prefix + "conv.weight"]!, convolutionBias: nil,
                                          runningMean: parameters[prefix + "bn.running_mean"]!,
                                          runningVariance: parameters[prefix + "bn.running_var"]!,
                                          weight: parameters[prefix + "bn.weight"]!, bias: parameters[prefix + "bn.bias"]!,
                                          epsilon: config.batchNormEpsilon)
            return conv2d(features, weight: Variable(folded.weight), bias: Variable(folded.bias), padding: (1, 1))
        }
    }

    /// Training: each batch norm normalises with the batch's statistics and
    /// moves its running statistics towards them.
    public func trainingLogits(_ images: Variable) -> Variable {
        forward(images) { stage, features in
            let prefix = "stages.\(stage)."
            let convolved = conv2d(features, weight: parameters.variable(prefix + "conv.weight"), bias: nil, padding: (1, 1))
            return batchNorm2d(convolved, weight: parameters.variable(prefix + "bn.weight"),
                               bias: parameters.variable(prefix + "bn.bias"),
                               runningMean: parameters[prefix + "bn.running_mean"]!,
                               runningVariance: parameters[prefix + "bn.running_var"]!,
                               momentum: config.batchNormMomentum, epsilon: config.batchNormEpsilon)
        }
    }

    /// The stages around `normalisedConvolution(stage, input)`, then pooling and the head.
    private func forward(_ images: Variable, normalisedConvolution: (Int, Variable) -> Variable) -> Variable {
        var features = images
        for stage in config.widths.indices {
            if stage > 0 { features = maxPool2d(features, kernel: (2, 2)) }
            features = relu(normalisedConvolution(stage, features))
        }
        return linear(globalAvgPool2d(features), weight: parameters.variable("head.weight"),
                      bias: parameters.variable("head.bias"))
    }

    /// Every tensor the model reads, with its shape.
    public static func expectedShapes(_ config: ConvNetConfig) -> [(String, [Int])] {
        var shapes: [(String, [Int])] = []
        var inputs = config.inChannels
        for (stage, width) in config.widths.enumerated() {
            let prefix = "stages.\(stage)."
            shapes.append((prefix + "conv.weight", [width, inputs, 3, 3]))
            for name in ["weight", "bias", "running_mean", "running_var"] { shapes.append((prefix + "bn." + name, [width])) }
            inputs = width
        }
        shapes += [("head.weight", [config.classes, inputs]), ("head.bias", [config.classes])]
        return shapes
    }

    /// He-normal convolutions (fan-in, ReLU gain), identity batch norms, a
    /// uniform head weight (PyTorch's bound) and zero biases.
    public static func initialParameters(_ config: ConvNetConfig, seed: UInt64) -> Parameters {
        var generator = SeededGenerator(seed: seed)
        let parameters = Parameters()
        for (name, shape) in expectedShapes(config) {
            let tensor: Tensor
            if name.hasSuffix("conv.weight") {
                let fanIn = shape.dropFirst().reduce(1, *)
                tensor = Tensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in
                    generator.nextNormal() * (2 / Float(fanIn)).squareRoot()
                })
            } else if name.hasSuffix("bn.weight") || name.hasSuffix("running_var") {
                tensor = Tensor(shape: shape, repeating: 1)
            } else if name == "head.weight" {
                let bound = 1 / Float(shape[1]).squareRoot()
                tensor = Tensor.uniform(shape, in: -bound...bound, using: &generator)
            } else {
                tensor = Tensor(zeros: shape)
            }
            parameters.set(name, tensor)
        }
        return parameters
    }
}
