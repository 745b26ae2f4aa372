import Foundation
import Formats
import Testing

/// Runs `body` and expects a FileError about `path` whose problem mentions `fragment`.
func expectFileError<Result>(_ path: String, _ fragment: String,
                             sourceLocation: SourceLocation = #_sourceLocation,
                             _ body: () throws -> Result) {
    do {
        _ = try body()
        Issue.record("expected a FileError about \(path) mentioning \"\(fragment)\"", sourceLocation: sourceLocation)
    } catch let error as FileError {
        #expect(error.path == path, "\(error)", sourceLocation: sourceLocation)
        #expect(error.problem.contains(fragment), "\(error)", sourceLocation: sourceLocation)
        #expect(!error.description.contains("\n"), sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a FileError, got \(error)", sourceLocation: sourceLocation)
    }
}

/// A fresh directory under the system's temporary directory, removed when released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("glimpse-formats-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func path(_ relative: String) -> String { URL(fileURLWithPath: path).appendingPathComponent(relative).path }

    /// Writes `bytes` at `relative`, creating folders on the way, and returns the full path.
    @discardableResult
    func write(_ bytes: [UInt8], to relative: String) throws -> String {
        let full = path(relative)
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: full).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: full))
        return full
    }

    /// Names in the directory, hidden ones included.
    func contents() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }
}

func fileBytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
