/// A binary PGM (P5) or PPM (P6) image: a text header of width, height and
/// maximum value, with `#` comments allowed between them, then one white-space
/// byte and the raster (one byte per sample, two big-endian bytes when the
/// maximum is over 255). Trailing data, such as further images, is ignored.
struct NetpbmImage {
    let header: ImageFile.Header
    let samples: InterleavedSamples

    init(_ file: MappedFile, format: ImageFile.Format) throws {
        var scanner = NetpbmHeaderScanner(bytes: file.bytes, path: file.path, format: format)
        let width = try scanner.positiveInteger(named: "width")
        let height = try scanner.positiveInteger(named: "height")
        let maximumValue = try scanner.positiveInteger(named: "maximum value")
        guard maximumValue <= 65535 else { throw scanner.corrupt("maximum value \(maximumValue) is over 65535") }
        try scanner.skipSeparator()
        guard width <= ImageFile.maximumPixels / height else {
            throw ImageFile.tooLarge(file.path, width: width, height: height)
        }
        let channels = format == .ppm ? 3 : 1
        let bytesPerSample = maximumValue > 255 ? 2 : 1
        let rasterSize = width * height * channels * bytesPerSample
        let available = file.bytes.count - scanner.offset
        guard available >= rasterSize else {
            throw FileError.truncated(file.path, format: format.rawValue, "the raster has \(available) of \(rasterSize) bytes")
        }
        header = ImageFile.Header(format: format, width: width, height: height, channels: channels)
        samples = InterleavedSamples(
            width: width, height: height, channels: channels, bytesPerSample: bytesPerSample, maximumValue: maximumValue,
            bytes: UnsafeRawBufferPointer(rebasing: file.bytes[scanner.offset..<(scanner.offset + rasterSize)]))
    }
}

private struct NetpbmHeaderScanner {
    let bytes: UnsafeRawBufferPointer
    let path: String
    let format: ImageFile.Format
    /// Just after the two-byte magic number.
    var offset = 2

    func corrupt(_ detail: String) -> FileError { FileError.corrupt(path, format: format.rawValue, detail) }

    private func isWhitespace(_ byte: UInt8) -> Bool { [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains(byte) }

    private func endOfHeader() -> FileError {
        FileError.truncated(path, format: format.rawValue, "the header ends early")
    }

    mutating func positiveInteger(named name: String) throws -> Int {
        while offset < bytes.count, isWhitespace(bytes[offset]) || bytes[offset] == UInt8(ascii: "#") {
            if bytes[offset] == UInt8(ascii: "#") {
                while offset < bytes.count, bytes[offset] != 0x0A, bytes[offset] != 0x0D { offset += 1 }
            } else {
                offset += 1
            }
        }
        guard offset < bytes.count else { throw endOfHeader() }
        var value = 0
        let start = offset
        while offset < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[offset]) {
            // Twelve digits cannot overflow, and every real size has fewer.
            guard offset - start < 12 else { throw corrupt("\(name) is too large") }
            value = value * 10 + Int(bytes[offset] - UInt8(ascii: "0"))
            offset += 1
        }
        guard offset > start else { throw corrupt("the header has no number for the \(name)") }
        guard value > 0 else { throw corrupt("\(name) is 0") }
        return value
    }

    /// The single white-space byte between the header and the raster.
    mutating func skipSeparator() throws {
        guard offset < bytes.count else { throw endOfHeader() }
        guard isWhitespace(bytes[offset]) else { throw corrupt("no white space after the header") }
        offset += 1
    }
}
