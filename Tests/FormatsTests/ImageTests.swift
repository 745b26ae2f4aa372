import Foundation
import Formats
import Kernels
import TestSupport
import Testing

/// The pattern tools/fixtures/make_image_fixtures.py draws into its lossless images.
func fixtureSample(x: Int, y: Int, channel: Int, maximum: Int) -> Int {
    (x * 37 + y * 101 + channel * 59 + x * y * 7) % (maximum + 1)
}

func fixturePaletteColour(_ index: Int) -> [Int] {
    [(index * 53) % 256, (index * 97 + 11) % 256, 255 - (index * 31) % 256]
}

func imageFixture(_ name: String) -> String {
    RepositoryPaths.fixtures.appendingPathComponent("images/\(name)").path
}

/// A lossless fixture and the value it must decode to at (x, y, channel).
struct LosslessImage: CustomTestStringConvertible, Sendable {
    let name: String
    let width: Int
    let height: Int
    let channels: Int
    let expected: @Sendable (_ x: Int, _ y: Int, _ channel: Int) -> Float

    var testDescription: String { name }

    /// The pattern itself, scaled by `maximum`.
    static func pattern(_ name: String, width: Int = 5, height: Int = 3, channels: Int, maximum: Int) -> LosslessImage {
        LosslessImage(name: name, width: width, height: height, channels: channels) { x, y, channel in
            Float(fixtureSample(x: x, y: y, channel: channel, maximum: maximum)) / Float(maximum)
        }
    }

    /// Palette indices drawn by the pattern.
    static func palette(_ name: String, bits: Int) -> LosslessImage {
        LosslessImage(name: name, width: 5, height: 3, channels: 3) { x, y, channel in
            let index = fixtureSample(x: x, y: y, channel: 0, maximum: (1 << bits) - 1)
            return Float(fixturePaletteColour(index)[channel]) / 255
        }
    }
}

@Suite struct ImageTests {
    static let losslessImages: [LosslessImage] = {
        var images: [LosslessImage] = []
        for bits in [1, 2, 4, 8, 16] {
            images.append(.pattern("grey\(bits).png", channels: 1, maximum: (1 << bits) - 1))
        }
        for bits in [8, 16] {
            images.append(.pattern("grey-alpha\(bits).png", channels: 1, maximum: (1 << bits) - 1))
            images.append(.pattern("rgb\(bits).png", channels: 3, maximum: (1 << bits) - 1))
            images.append(.pattern("rgba\(bits).png", channels: 3, maximum: (1 << bits) - 1))
        }
        for bits in [1, 2, 4, 8] {
            images.append(.palette("palette\(bits).png", bits: bits))
        }
        return images + [
            .pattern("grey8-trns.png", channels: 1, maximum: 255),
            .palette("palette4-trns.png", bits: 4),
            .pattern("rgb8-interlaced.png", channels: 3, maximum: 255),
            .pattern("grey2-interlaced.png", width: 11, height: 9, channels: 1, maximum: 3),
            .pattern("rgba16-interlaced.png", width: 11, height: 9, channels: 3, maximum: 65535),
            .pattern("grey8.pgm", channels: 1, maximum: 255),
            .pattern("grey16.pgm", channels: 1, maximum: 1000),
            .pattern("rgb8.ppm", channels: 3, maximum: 200),
            .pattern("rgb16.ppm", channels: 3, maximum: 65535),
        ]
    }()

    @Test(arguments: losslessImages)
    func decodesLosslessImagesExactly(_ image: LosslessImage) throws {
        let tensor = try ImageFile.read(path: imageFixture(image.name))
        #expect(tensor.shape == [image.channels, image.height, image.width])
        var mismatches = 0
        for channel in 0..<image.channels {
            for y in 0..<image.height {
                for x in 0..<image.width
                where tensor[flat: (channel * image.height + y) * image.width + x] != image.expected(x, y, channel) {
                    mismatches += 1
                }
            }
        }
        #expect(mismatches == 0)
    }

    static let jpegImages: [(name: String, quadrants: [[Int]])] = [
        ("rgb-baseline.jpg", [[200, 40, 40], [40, 180, 60], [50, 70, 210], [230, 220, 90]]),
        ("rgb-progressive.jpg", [[200, 40, 40], [40, 180, 60], [50, 70, 210], [230, 220, 90]]),
        ("grey.jpg", [[30], [100], [170], [240]]),
        // CMYK (10,200,180,20), (150,20,200,40), (200,150,10,60), (0,0,0,0) through PIL's conversion.
        ("cmyk.jpg", [[226, 51, 69], [89, 198, 46], [42, 80, 187], [255, 255, 255]]),
    ]

    /// JPEG fixtures are four flat 8×8 quadrants, which JPEG keeps to within a few levels.
    @Test(arguments: jpegImages)
    func decodesJPEGs(_ name: String, quadrants: [[Int]]) throws {
        let tensor = try ImageFile.read(path: imageFixture(name))
        let channels = quadrants[0].count
        #expect(tensor.shape == [channels, 16, 16])
        var worst: Float = 0
        for channel in 0..<channels {
            for y in 0..<16 {
                for x in 0..<16 {
                    let expected = Float(quadrants[(y / 8) * 2 + x / 8][channel]) / 255
                    worst = max(worst, abs(tensor[flat: (channel * 16 + y) * 16 + x] - expected))
                }
            }
        }
        #expect(worst <= 3.0 / 255 + 1e-6)
    }

    @Test(arguments: [
        ("rgba16-interlaced.png", ImageFile.Header(format: .png, width: 11, height: 9, channels: 3)),
        ("palette2.png", ImageFile.Header(format: .png, width: 5, height: 3, channels: 3)),
        ("grey-alpha8.png", ImageFile.Header(format: .png, width: 5, height: 3, channels: 1)),
        ("cmyk.jpg", ImageFile.Header(format: .jpeg, width: 16, height: 16, channels: 3)),
        ("grey.jpg", ImageFile.Header(format: .jpeg, width: 16, height: 16, channels: 1)),
        ("grey16.pgm", ImageFile.Header(format: .pgm, width: 5, height: 3, channels: 1)),
        ("rgb8.ppm", ImageFile.Header(format: .ppm, width: 5, height: 3, channels: 3)),
    ])
    func readsHeadersAlone(_ name: String, header: ImageFile.Header) throws {
        #expect(try ImageFile.header(path: imageFixture(name)) == header)
    }

    @Test func recognisesTheFormatByContentNotName() throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(try fileBytes(imageFixture("rgb8.png")), to: "actually-a-png.jpg")
        #expect(try ImageFile.header(path: path).format == .png)
        #expect(try ImageFile.read(path: path).array == ImageFile.read(path: imageFixture("rgb8.png")).array)
    }

    @Test(arguments: [[3, 7, 5], [1, 4, 6], [3, 1, 1]])
    func writesPNGsThatReadBackRounded(shape: [Int]) throws {
        var generator = SeededGenerator(seed: UInt64(shape.reduce(0, +)))
        let tensor = Tensor.random(shape, in: -0.2...1.2, using: &generator)
        tensor[flat: 0] = .nan
        let directory = try TemporaryDirectory()
        let path = directory.path("out.png")
        try ImageFile.writePNG(tensor, to: path)
        let read = try ImageFile.read(path: path)
        #expect(read.shape == shape)
        let expected = tensor.array.map { value -> Float in
            value.isNaN ? 0 : (min(max(value, 0), 1) * 255).rounded() / 255
        }
        #expect(read.array == expected)
        #expect(try directory.contents() == ["out.png"])
    }

    @Test func refusesToWriteWhatIsNotAnImage() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("out.png")
        for shape in [[2, 4, 4], [3, 4], [3, 0, 4], [4, 2, 2]] {
            expectFileError(path, "cannot write a tensor of shape") { try ImageFile.writePNG(Tensor(zeros: shape), to: path) }
        }
        let nowhere = directory.path("no/such/folder/out.png")
        expectFileError(nowhere, "cannot write") { try ImageFile.writePNG(Tensor(zeros: [1, 2, 2]), to: nowhere) }
        #expect(try directory.contents().isEmpty)
    }

    @Test func refusesMissingEmptyAndUnknownFiles() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.path("missing.png")
        expectFileError(missing, "no such file") { try ImageFile.read(path: missing) }
        expectFileError(directory.path, "is a directory") { try ImageFile.read(path: directory.path) }
        let empty = try directory.write([], to: "empty.png")
        expectFileError(empty, "file is empty") { try ImageFile.read(path: empty) }
        let text = try directory.write(Array("hello, world".utf8), to: "text.png")
        expectFileError(text, "unknown image format") { try ImageFile.read(path: text) }
        let ascii = try directory.write(Array("P3\n1 1\n255\n0 0 0\n".utf8), to: "ascii.ppm")
        expectFileError(ascii, "only binary PGM (P5) and PPM (P6)") { try ImageFile.read(path: ascii) }
    }

    @Test(arguments: ["rgb8.png", "rgba16-interlaced.png", "palette8.png", "rgb-baseline.jpg",
                      "rgb-progressive.jpg", "cmyk.jpg", "rgb16.ppm", "grey16.pgm"])
    func refusesTruncatedFiles(_ name: String) throws {
        let bytes = try fileBytes(imageFixture(name))
        let directory = try TemporaryDirectory()
        for length in [6, 12, 30, bytes.count / 2, bytes.count * 3 / 4, bytes.count - 2, bytes.count - 1] {
            let path = try directory.write(Array(bytes[0..<length]), to: "cut-\(length)-\(name)")
            expectFileError(path, "truncated") { try ImageFile.read(path: path) }
        }
    }

    /// Each writes `bytes` over the fixture at `offset`.
    static let corruptions: [(name: String, offset: Int, bytes: [UInt8], problem: String)] = [
        ("rgb8.png", 45, [0xDE, 0xAD], "corrupt PNG file: IDAT"),
        ("rgb8.png", 29, [0, 0, 0, 0], "corrupt PNG file: IHDR: CRC error"),
        ("rgb8.png", 12, Array("IHDX".utf8), "corrupt PNG file"),
        ("rgb8.png", 1, [0x51], "unknown image format"),
        ("rgb-baseline.jpg", 162, [12], "corrupt JPEG file: Unsupported JPEG data precision 12"),
        ("rgb-baseline.jpg", 167, [0], "corrupt JPEG file"),
        ("rgb-baseline.jpg", 181, [0x55], "corrupt JPEG file"),
        ("grey.jpg", 0, [0xFF, 0xD8, 0xFF, 0xD9], "corrupt JPEG file"),
        ("rgb8.ppm", 0, Array("P6 5 3 70000\n".utf8), "maximum value 70000 is over 65535"),
        ("rgb8.ppm", 0, Array("P6 0 3 255\n".utf8), "width is 0"),
        ("rgb8.ppm", 0, Array("P6 x".utf8), "no number for the width"),
        ("rgb8.ppm", 0, Array("P6 5 3 200#".utf8), "no white space after the header"),
        ("rgb8.ppm", 0, Array("P6 5 3 9999999999999\n".utf8), "maximum value is too large"),
        ("grey8.pgm", 0, Array("P5 5 3 100\n".utf8), "is over the maximum 100"),
    ]

    @Test(arguments: corruptions)
    func refusesCorruptFiles(_ name: String, offset: Int, bytes: [UInt8], problem: String) throws {
        var data = try fileBytes(imageFixture(name))
        data.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
        let directory = try TemporaryDirectory()
        let path = try directory.write(data, to: name)
        expectFileError(path, problem) { try ImageFile.read(path: path) }
    }

    /// The fixtures hold a header and at most one row of pixels, so a decoder
    /// that went on past the header would report truncation instead.
    @Test(arguments: [("huge.png", "30000×30000"), ("huge.jpg", "20000×20000"), ("huge.ppm", "20000×20000")])
    func refusesHugeImagesFromTheHeader(_ name: String, size: String) throws {
        let path = imageFixture(name)
        expectFileError(path, "image is \(size) pixels, over the limit of 100 megapixels") { try ImageFile.read(path: path) }
        expectFileError(path, "over the limit") { try ImageFile.header(path: path) }
    }
}
