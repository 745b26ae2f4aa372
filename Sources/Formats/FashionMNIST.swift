import Foundation
import Kernels

/// Fashion-MNIST as installed by the Debian package `dataset-fashion-mnist`:
/// 28×28 grey images of clothing in ten classes, 60000 for training and
/// 10000 for testing. The pixels stay as bytes and become a tensor on access.
public struct FashionMNIST: LabelledImageSource {
    public enum Split: String, Sendable, CaseIterable {
        case train, test

        fileprivate var filePrefix: String { self == .train ? "train" : "t10k" }
    }

    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
    public static let classNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    public let split: Split
    public let count: Int
    public let height: Int
    public let width: Int
    public let labels: [Int]
    private let pixels: [UInt8]

    public var classNames: [String] { Self.classNames }

    public init(split: Split, directory: String = FashionMNIST.defaultDirectory) throws {
        self.split = split
        let directoryURL = URL(fileURLWithPath: directory)
        let imagesPath = directoryURL.appendingPathComponent("\(split.filePrefix)-images-idx3-ubyte.gz").path
        let labelsPath = directoryURL.appendingPathComponent("\(split.filePrefix)-labels-idx1-ubyte.gz").path
        for path in [imagesPath, labelsPath] where !FileManager.default.fileExists(atPath: path) {
            throw FileError(path: path, problem: "Fashion-MNIST not found; install the Debian package dataset-fashion-mnist")
        }
        let images = try IDXFile(path: imagesPath, magic: IDXFile.imagesMagic)
        let labelFile = try IDXFile(path: labelsPath, magic: IDXFile.labelsMagic)
        guard labelFile.dimensions[0] == images.dimensions[0] else {
            throw FileError.corrupt(labelsPath, format: IDXFile.format,
                                    "\(labelFile.dimensions[0]) labels for \(images.dimensions[0]) images")
        }
        if let bad = labelFile.bytes.firstIndex(where: { Int($0) >= Self.classNames.count }) {
            throw FileError.corrupt(labelsPath, format: IDXFile.format, "label \(labelFile.bytes[bad]) of item \(bad) is not a class 0...9")
        }
        count = images.dimensions[0]
        height = images.dimensions[1]
        width = images.dimensions[2]
        labels = labelFile.bytes.map(Int.init)
        pixels = images.bytes
    }

    /// A [1, height, width] tensor with values in 0...1.
    public func image(at index: Int) throws -> Tensor {
        precondition((0..<count).contains(index), "image \(index) of \(count)")
        let plane = height * width
        let tensor = Tensor(uninitialized: [1, height, width])
        for pixel in 0..<plane { tensor.pointer[pixel] = Float(pixels[index * plane + pixel]) / 255 }
        return tensor
    }

    public func label(at index: Int) -> Int { labels[index] }
}
