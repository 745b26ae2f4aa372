import CZlib
import Foundation

/// A gzip-compressed file read front to back through zlib; zlib reads an
/// uncompressed file as it is.
final class GzipFile {
    let path: String
    private let handle: gzFile

    init(path: String) throws {
        self.path = path
        // zlib would only say "cannot open"; look first to say why.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if descriptor < 0 { throw openFailure(path: path, errorNumber: errno) }
        defer { close(descriptor) }
        if try regularFileSize(path: path, descriptor: descriptor) == 0 { throw FileError.empty(path) }
        guard let handle = gzopen(path, "rb") else { throw FileError.unreadable(path, systemErrorText(errno)) }
        self.handle = handle
    }

    deinit { gzclose(handle) }

    /// Exactly `count` bytes, or a FileError saying the file ends sooner.
    func read(_ count: Int, format: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        // Grows with what really arrives, so a header claiming a huge count
        // costs no memory by itself.
        bytes.reserveCapacity(min(count, 1 << 24))
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while bytes.count < count {
            let wanted = min(chunk.count, count - bytes.count)
            let got = try readChunk(into: &chunk, wanted: wanted, format: format)
            guard got > 0 else {
                throw FileError.truncated(path, format: format, "\(bytes.count) of \(count) bytes present")
            }
            bytes.append(contentsOf: chunk[0..<got])
        }
        return bytes
    }

    /// Whether the decompressed data has no bytes left.
    func isAtEnd(format: String) throws -> Bool {
        var probe: [UInt8] = [0]
        return try readChunk(into: &probe, wanted: 1, format: format) == 0
    }

    private func readChunk(into chunk: inout [UInt8], wanted: Int, format: String) throws -> Int {
        let got = chunk.withUnsafeMutableBytes { gzread(handle, $0.baseAddress, UInt32(wanted)) }
        if got >= 0 { return Int(got) }
        var code: Int32 = 0
        let message = gzerror(handle, &code).map { String(cString: $0) } ?? "unknown zlib error"
        // zlib reports a stream cut short as a buffer error.
        if code == Z_BUF_ERROR { throw FileError.truncated(path, format: format, message) }
        if code == Z_ERRNO { throw FileError.unreadable(path, systemErrorText(errno)) }
        throw FileError.corrupt(path, format: format, "gzip data: \(message)")
    }
}
