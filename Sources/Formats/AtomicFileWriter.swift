import Foundation

/// Writes a file so that it is never seen half-written and an old version is
/// never lost: the bytes go to a temporary file in the same directory, which
/// is flushed to disk and then renamed over the target.
public final class AtomicFileWriter {
    private let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Creates `path` (or replaces it) with what `produce` appends.
    public static func write(to path: String, _ produce: (AtomicFileWriter) throws -> Void) throws {
        if isDirectory(path) { throw FileError.notAFile(path) }
        let target = URL(fileURLWithPath: path)
        let temporaryPath = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(UInt64.random(in: 0...UInt64.max)).tmp").path
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if descriptor < 0 { throw FileError.unwritable(path, systemErrorText(errno)) }
        let writer = AtomicFileWriter(path: path, descriptor: descriptor)
        do {
            try produce(writer)
            if fsync(descriptor) != 0 { throw FileError.unwritable(path, systemErrorText(errno)) }
        } catch {
            close(descriptor)
            unlink(temporaryPath)
            throw error
        }
        func discard(because errorNumber: Int32) -> FileError {
            unlink(temporaryPath)
            return .unwritable(path, systemErrorText(errorNumber))
        }
        if close(descriptor) != 0 { throw discard(because: errno) }
        if rename(temporaryPath, path) != 0 { throw discard(because: errno) }
    }

    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        var remaining = bytes
        while !remaining.isEmpty {
            let written = writeToDescriptor(descriptor, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw FileError.unwritable(path, systemErrorText(errno))
            }
            remaining = UnsafeRawBufferPointer(rebasing: remaining[written...])
        }
    }

    public func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try append($0) }
    }
}

/// `write(2)`, which the static `write(to:_:)` hides inside the class.
private func writeToDescriptor(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
    write(descriptor, bytes.baseAddress, bytes.count)
}
