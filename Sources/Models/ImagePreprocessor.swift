import Foundation
import Kernels

/// A model-ready image: the normalised input and the crop it came from.
public struct PreparedImage: @unchecked Sendable {
    /// [1, C, H, W], normalised with the model's mean and std.
    public let tensor: Tensor
    /// The same crop before normalisation, [3, H, W] in 0...1, for drawing.
    public let display: Tensor
    public let milliseconds: Double
}

/// timm's evaluation transform (SPEC §2): resize the short side to
/// floor(size / crop_pct) with the configured filter, centre-crop to the
/// input size, then normalise. An image already at the input size is used
/// as it is. Grey images are replicated to 3 channels, colour images turned
/// to luma (ITU-R 601, as PIL's "L") for 1-channel models.
public enum ImagePreprocessor {
    public static func prepare(_ image: Tensor, for preprocessing: Preprocessing) -> PreparedImage {
        let start = DispatchTime.now().uptimeNanoseconds
        let (channels, height, width) = (preprocessing.inputSize[0], preprocessing.inputSize[1], preprocessing.inputSize[2])
        let cropped = image.shape[1] == height && image.shape[2] == width
            ? image
            : resizeAndCrop(image, to: (height, width), cropFraction: preprocessing.cropFraction,
                            filter: filter(preprocessing.interpolation))
        let display = convert(cropped, toChannels: 3)
        let input = convert(cropped, toChannels: channels).copy()
        let plane = height * width
        for channel in 0..<channels {
            let start = input.pointer + channel * plane
            Elementwise.affine(start, start, count: plane, scale: 1 / preprocessing.std[channel],
                               shift: -preprocessing.mean[channel] / preprocessing.std[channel])
        }
        let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        return PreparedImage(tensor: input.reshaped([1, channels, height, width]), display: display, milliseconds: milliseconds)
    }

    private static func filter(_ interpolation: Preprocessing.Interpolation) -> ResizeFilter {
        switch interpolation {
        case .bilinear: return .bilinear
        case .bicubic: return .bicubic
        case .nearest: return .nearest
        }
    }

    /// torchvision `Resize(int)` + `CenterCrop` for square inputs; for other
    /// shapes timm resizes to (floor(h/crop), floor(w/crop)) exactly.
    static func resizeAndCrop(_ image: Tensor, to size: (Int, Int), cropFraction: Double, filter: ResizeFilter) -> Tensor {
        let (channels, height, width) = (image.shape[0], image.shape[1], image.shape[2])
        let scaledHeight = Int((Double(size.0) / cropFraction).rounded(.down))
        let scaledWidth = Int((Double(size.1) / cropFraction).rounded(.down))
        let (resizedHeight, resizedWidth): (Int, Int)
        if scaledHeight == scaledWidth {
            let short = scaledHeight
            resizedHeight = height <= width ? short : max(1, Int(Double(short) * Double(height) / Double(width)))
            resizedWidth = height <= width ? max(1, Int(Double(short) * Double(width) / Double(height))) : short
        } else {
            (resizedHeight, resizedWidth) = (scaledHeight, scaledWidth)
        }
        let resized = Tensor(uninitialized: [channels, resizedHeight, resizedWidth])
        Resize.resize(ResizeGeometry(channels: channels, height: height, width: width, outHeight: resizedHeight, outWidth: resizedWidth),
                      filter: filter, clampingTo: 0...1, input: image.pointer, output: resized.pointer)
        return centreCrop(resized, to: size)
    }

    /// torchvision `CenterCrop`: offsets round((in − out) / 2); pads with
    /// zeros when the image is smaller than the crop.
    static func centreCrop(_ image: Tensor, to size: (Int, Int)) -> Tensor {
        let (channels, height, width) = (image.shape[0], image.shape[1], image.shape[2])
        let top = Int((Double(height - size.0) / 2).rounded(.toNearestOrEven))
        let left = Int((Double(width - size.1) / 2).rounded(.toNearestOrEven))
        let out = Tensor(zeros: [channels, size.0, size.1])
        let rows = max(0, min(size.0, height - top) - max(0, -top))
        let columns = max(0, min(size.1, width - left) - max(0, -left))
        guard rows > 0, columns > 0 else { return out }
        for channel in 0..<channels {
            let source = image.pointer + channel * height * width + max(0, top) * width + max(0, left)
            let target = out.pointer + channel * size.0 * size.1 + max(0, -top) * size.1 + max(0, -left)
            Elementwise.copyRows(from: source, sourceStride: width, to: target, destinationStride: size.1, rows: rows, columns: columns)
        }
        return out
    }

    /// Grey → RGB by replication; RGB → grey by ITU-R 601 luma.
    static func convert(_ image: Tensor, toChannels channels: Int) -> Tensor {
        let have = image.shape[0]
        guard have != channels else { return image }
        let plane = image.shape[1] * image.shape[2]
        let out = Tensor(zeros: [channels, image.shape[1], image.shape[2]])
        if channels == 1 {
            for (index, weight) in [Float(0.299), 0.587, 0.114].enumerated() {
                Elementwise.accumulate(image.pointer + index * plane, scaledBy: weight, into: out.pointer, count: plane)
            }
        } else {
            for channel in 0..<channels { (out.pointer + channel * plane).update(from: image.pointer, count: plane) }
        }
        return out
    }
}
