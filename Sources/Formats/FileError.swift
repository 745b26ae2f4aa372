import Foundation

/// Why a file could not be read or written: the one error every layer
/// reports for bad files, printed as a single line `<path>: <problem>`.
public struct FileError: Error, CustomStringConvertible, Equatable, Sendable {
    public let path: String
    public let problem: String

    public init(path: String, problem: String) {
        self.path = path
        // Kept to one line so that command-line messages stay one line.
        self.problem = problem.replacingOccurrences(of: "\n", with: " ")
    }

    public var description: String { "\(path): \(problem)" }

    public static func missing(_ path: String) -> FileError {
        FileError(path: path, problem: "no such file or directory")
    }

    public static func notAFile(_ path: String) -> FileError {
        FileError(path: path, problem: "is a directory, not a file")
    }

    public static func notADirectory(_ path: String) -> FileError {
        FileError(path: path, problem: "is a file, not a directory")
    }

    public static func empty(_ path: String) -> FileError {
        FileError(path: path, problem: "file is empty")
    }

    public static func unreadable(_ path: String, _ reason: String) -> FileError {
        FileError(path: path, problem: "cannot read: \(reason)")
    }

    public static func unwritable(_ path: String, _ reason: String) -> FileError {
        FileError(path: path, problem: "cannot write: \(reason)")
    }

    /// The data stops before the format says it does.
    public static func truncated(_ path: String, format: String, _ detail: String) -> FileError {
        FileError(path: path, problem: "truncated \(format) file: \(detail)")
    }

    /// The data contradicts the format.
    public static func corrupt(_ path: String, format: String, _ detail: String) -> FileError {
        FileError(path: path, problem: "corrupt \(format) file: \(detail)")
    }
}

extension FileError: LocalizedError {
    public var errorDescription: String? { description }
}

/// The text of a POSIX error number, e.g. "Permission denied".
func systemErrorText(_ number: Int32) -> String {
    String(cString: strerror(number))
}
