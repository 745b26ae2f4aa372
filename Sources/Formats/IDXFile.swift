/// An IDX file of unsigned bytes, the format of MNIST and Fashion-MNIST:
/// a big-endian magic number 0x0000_08nn (nn = number of dimensions), nn
/// big-endian 32-bit sizes, then the bytes in row-major order. Read through
/// zlib, so it may be gzip-compressed.
struct IDXFile {
    static let imagesMagic: UInt32 = 2051
    static let labelsMagic: UInt32 = 2049
    static let format = "IDX"

    let dimensions: [Int]
    let bytes: [UInt8]

    init(path: String, magic expectedMagic: UInt32) throws {
        let file = try GzipFile(path: path)
        let magic = bigEndianWord(try file.read(4, format: Self.format), at: 0)
        guard magic == expectedMagic else {
            throw FileError.corrupt(path, format: Self.format, "magic number \(magic), expected \(expectedMagic)")
        }
        let rank = Int(magic & 0xFF)
        let sizes = try file.read(4 * rank, format: Self.format)
        dimensions = (0..<rank).map { Int(bigEndianWord(sizes, at: 4 * $0)) }
        guard let count = checkedProduct(dimensions) else {
            throw FileError.corrupt(path, format: Self.format, "sizes \(dimensions) are too large")
        }
        bytes = try file.read(count, format: Self.format)
        guard try file.isAtEnd(format: Self.format) else {
            throw FileError.corrupt(path, format: Self.format, "data continues past the \(count) bytes of sizes \(dimensions)")
        }
    }
}

private func bigEndianWord(_ bytes: [UInt8], at offset: Int) -> UInt32 {
    bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
}
