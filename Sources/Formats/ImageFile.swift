import CImage
import Foundation
import Kernels

/// Image files as tensors of shape [C, H, W] with values in 0...1, C being 1
/// for grey and 3 for colour. Alpha is dropped and palettes are expanded, as
/// PIL's `convert("RGB")` does. The format is recognised from the first bytes
/// of the file, never from its name.
public enum ImageFile {
    /// Larger images are refused from their header, before any pixel memory is taken.
    public static let maximumPixels = 100_000_000

    public enum Format: String, Sendable {
        case png = "PNG", jpeg = "JPEG", pgm = "PGM", ppm = "PPM"
    }

    public struct Header: Equatable, Sendable {
        public let format: Format
        public let width: Int
        public let height: Int
        /// Channels of the tensor `read` returns: 1 or 3.
        public let channels: Int

        public init(format: Format, width: Int, height: Int, channels: Int) {
            self.format = format
            self.width = width
            self.height = height
            self.channels = channels
        }
    }

    /// The format and size, from the header alone.
    public static func header(path: String) throws -> Header {
        let file = try MappedFile(path: path)
        let format = try recognise(file)
        switch format {
        case .png, .jpeg: return try decodeWithLibrary(file, format: format, headerOnly: true) { header, _ in header }
        case .pgm, .ppm: return try NetpbmImage(file, format: format).header
        }
    }

    public static func read(path: String) throws -> Tensor {
        let file = try MappedFile(path: path)
        let format = try recognise(file)
        switch format {
        case .png, .jpeg:
            return try decodeWithLibrary(file, format: format, headerOnly: false) { _, samples in
                try samples.planarTensor(path: path, format: format)
            }
        case .pgm, .ppm:
            return try NetpbmImage(file, format: format).samples.planarTensor(path: path, format: format)
        }
    }

    /// Writes a [1 or 3, H, W] tensor as an 8-bit grey or RGB PNG: values are
    /// clamped to 0...1 (NaN counts as 0) and rounded to the nearest level.
    public static func writePNG(_ tensor: Tensor, to path: String) throws {
        guard tensor.rank == 3, tensor.shape[0] == 1 || tensor.shape[0] == 3,
              (1...Int(UInt32.max)).contains(tensor.shape[1]), (1...Int(UInt32.max)).contains(tensor.shape[2])
        else {
            throw FileError(path: path, problem: "cannot write a tensor of shape \(tensor.shape) as PNG; it takes [1 or 3, H, W]")
        }
        let (channels, height, width) = (tensor.shape[0], tensor.shape[1], tensor.shape[2])
        let plane = height * width
        var samples = [UInt8](repeating: 0, count: tensor.count)
        for pixel in 0..<plane {
            for channel in 0..<channels {
                samples[pixel * channels + channel] = eightBitLevel(tensor.pointer[channel * plane + pixel])
            }
        }
        var encoded = cimage_buffer()
        let status = cimage_encode_png(samples, UInt32(width), UInt32(height), UInt32(channels), &encoded)
        defer { cimage_free_buffer(&encoded) }
        guard status == CIMAGE_OK, let bytes = encoded.bytes else {
            throw FileError.unwritable(path, "PNG encoding failed: \(messageText(encoded.message))")
        }
        try AtomicFileWriter.write(to: path) { file in
            try file.append(UnsafeRawBufferPointer(start: bytes, count: encoded.size))
        }
    }

    private static func eightBitLevel(_ value: Float) -> UInt8 {
        guard value > 0 else { return 0 }
        guard value < 1 else { return 255 }
        return UInt8((value * 255).rounded())
    }

    private static func recognise(_ file: MappedFile) throws -> Format {
        let start = Array(file.bytes.prefix(4))
        if start == [0x89, 0x50, 0x4E, 0x47] { return .png }
        if start.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if start.starts(with: Array("P5".utf8)) { return .pgm }
        if start.starts(with: Array("P6".utf8)) { return .ppm }
        if start.count >= 2, start[0] == UInt8(ascii: "P"), (UInt8(ascii: "1")...UInt8(ascii: "7")).contains(start[1]) {
            throw FileError(path: file.path, problem: "Netpbm variant P\(Character(Unicode.Scalar(start[1]))) is not supported; only binary PGM (P5) and PPM (P6) are")
        }
        throw FileError(path: file.path, problem: "unknown image format (not PNG, JPEG, PGM or PPM)")
    }

    /// Runs libpng or libjpeg through the C shim and hands the samples to `use`
    /// while they are alive.
    private static func decodeWithLibrary<Result>(
        _ file: MappedFile, format: Format, headerOnly: Bool,
        _ use: (Header, InterleavedSamples) throws -> Result
    ) throws -> Result {
        let bytes = file.bytes.bindMemory(to: UInt8.self)
        var image = cimage_image()
        let decode = format == .png ? cimage_decode_png : cimage_decode_jpeg
        let status = decode(bytes.baseAddress, bytes.count, UInt64(maximumPixels), headerOnly ? 1 : 0, &image)
        defer { cimage_free_image(&image) }
        let (width, height) = (Int(image.width), Int(image.height))
        switch status {
        case CIMAGE_OK: break
        case CIMAGE_TRUNCATED: throw FileError.truncated(file.path, format: format.rawValue, "the data ends inside the image")
        case CIMAGE_TOO_LARGE: throw tooLarge(file.path, width: width, height: height)
        case CIMAGE_NO_MEMORY: throw FileError(path: file.path, problem: "not enough memory for a \(width)×\(height) image")
        default: throw FileError.corrupt(file.path, format: format.rawValue, messageText(image.message))
        }
        let channels = Int(image.channels)
        let bytesPerSample = Int(image.bytes_per_sample)
        let sampleBytes = headerOnly ? 0 : width * height * channels * bytesPerSample
        let samples = InterleavedSamples(
            width: width, height: height, channels: channels, bytesPerSample: bytesPerSample,
            maximumValue: bytesPerSample == 2 ? 65535 : 255,
            bytes: UnsafeRawBufferPointer(start: image.samples, count: sampleBytes))
        let header = Header(format: format, width: width, height: height, channels: samples.keptChannels)
        return try use(header, samples)
    }

    static func tooLarge(_ path: String, width: Int, height: Int) -> FileError {
        FileError(path: path, problem: "image is \(width)×\(height) pixels, over the limit of \(maximumPixels / 1_000_000) megapixels")
    }
}

/// Decoded samples in file order: rows of pixels of `channels` interleaved
/// samples, each one byte or two bytes big-endian.
struct InterleavedSamples {
    let width: Int
    let height: Int
    /// 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA.
    let channels: Int
    let bytesPerSample: Int
    /// The sample value that means full intensity.
    let maximumValue: Int
    let bytes: UnsafeRawBufferPointer

    /// Alpha is not kept.
    var keptChannels: Int { channels == 2 || channels == 4 ? channels - 1 : channels }

    func planarTensor(path: String, format: ImageFile.Format) throws -> Tensor {
        let kept = keptChannels
        let plane = height * width
        let tensor = Tensor(uninitialized: [kept, height, width])
        let scale = Float(maximumValue)
        for pixel in 0..<plane {
            for channel in 0..<kept {
                let index = (pixel * channels + channel) * bytesPerSample
                let value = bytesPerSample == 2 ? Int(bytes[index]) << 8 | Int(bytes[index + 1]) : Int(bytes[index])
                guard value <= maximumValue else {
                    throw FileError.corrupt(path, format: format.rawValue, "sample value \(value) is over the maximum \(maximumValue)")
                }
                tensor.pointer[channel * plane + pixel] = Float(value) / scale
            }
        }
        return tensor
    }
}

/// The text of a fixed-size, NUL-terminated C character array.
private func messageText<Characters>(_ message: Characters) -> String {
    withUnsafeBytes(of: message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
}
