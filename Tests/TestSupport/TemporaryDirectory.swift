import Foundation

/// A fresh folder under the system's temporary directory, removed with
/// everything in it when released, so that tests leave nothing behind.
public final class TemporaryDirectory {
    public let path: String

    public init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("glimpse-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func path(_ relative: String) -> String { URL(fileURLWithPath: path).appendingPathComponent(relative).path }

    /// Writes `bytes` at `relative`, creating folders on the way, and returns the full path.
    @discardableResult
    public func write(_ bytes: [UInt8], to relative: String) throws -> String {
        let full = path(relative)
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: full).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: full))
        return full
    }

    /// A labelled image folder at `images/`: `count` copies of the image at
    /// `picture`, dealt in turn into `class0`…`class<classes-1>`. Returns its path.
    @discardableResult
    public func imageFolder(copying picture: String, count: Int, classes: Int) throws -> String {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: picture)))
        for index in 0..<count { try write(bytes, to: "images/class\(index % classes)/image\(index).png") }
        return path("images")
    }

    /// Writes `contents` as UTF-8 at `relative`.
    public func file(_ relative: String, contents: String = "") throws {
        try write(Array(contents.utf8), to: relative)
    }

    /// Creates the folder `relative` and returns its full path.
    @discardableResult
    public func folder(_ relative: String) throws -> String {
        let full = path(relative)
        try FileManager.default.createDirectory(atPath: full, withIntermediateDirectories: true)
        return full
    }

    /// Names in the directory, hidden ones included.
    public func contents() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }
}
