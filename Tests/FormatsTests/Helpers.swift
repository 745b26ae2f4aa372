import Foundation
import Formats
import TestSupport
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

func fileBytes(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
