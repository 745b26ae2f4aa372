import Foundation

/// A whole regular file mapped read-only into memory. The mapping lives as
/// long as this object; readers copy what they need out of `bytes`.
final class MappedFile: @unchecked Sendable {
    let path: String
    let bytes: UnsafeRawBufferPointer

    init(path: String) throws {
        self.path = path
        // Non-blocking, so that a FIFO given by mistake fails instead of hanging.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        if descriptor < 0 { throw openFailure(path: path, errorNumber: errno) }
        defer { close(descriptor) }
        let size = try regularFileSize(path: path, descriptor: descriptor)
        if size == 0 { throw FileError.empty(path) }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0),
              address != MAP_FAILED
        else { throw FileError.unreadable(path, systemErrorText(errno)) }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
    }
}

/// The FileError for a failed `open` of a file to read.
func openFailure(path: String, errorNumber: Int32) -> FileError {
    errorNumber == ENOENT ? .missing(path) : .unreadable(path, systemErrorText(errorNumber))
}

/// The size of the open file, which must be a regular file.
func regularFileSize(path: String, descriptor: Int32) throws -> Int {
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw FileError.unreadable(path, systemErrorText(errno)) }
    switch status.st_mode & S_IFMT {
    case S_IFREG: return Int(status.st_size)
    case S_IFDIR: throw FileError.notAFile(path)
    default: throw FileError(path: path, problem: "not a regular file")
    }
}

/// Whether `path` names a directory, following symbolic links.
func isDirectory(_ path: String) -> Bool {
    var isFolder: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder.boolValue
}
