import Foundation

/// The workbench's small persistent state: `$XDG_STATE_HOME/glimpse/state.json`.
public struct StateFile: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The XDG location: `$XDG_STATE_HOME` when set to an absolute path,
    /// else `$HOME/.local/state`.
    public static func defaultPath(environment: [String: String]) -> String {
        let stateHome: String
        if let configured = environment["XDG_STATE_HOME"], configured.hasPrefix("/") {
            stateHome = configured
        } else {
            stateHome = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        }
        return stateHome + "/glimpse/state.json"
    }

    /// What loading found.
    public enum LoadResult: Equatable, Sendable {
        case loaded(RecentItems)
        /// No file yet: a first run.
        case missing
        /// The file exists but cannot be used; the message says why.
        case unreadable(String)
    }

    public func load() -> LoadResult {
        guard FileManager.default.fileExists(atPath: path) else { return .missing }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            return .loaded(try JSONDecoder().decode(RecentItems.self, from: data))
        } catch {
            return .unreadable("\(path): ignored, not a valid state file")
        }
    }

    /// Writes through a temporary file and a rename, so a crash never
    /// leaves a half-written state file.
    public func save(_ items: RecentItems) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let temporary = directory.appendingPathComponent(".state.json.\(ProcessInfo.processInfo.processIdentifier).tmp")
        try encoder.encode(items).write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw StateFileError(message: "\(path): cannot replace (\(String(cString: strerror(errno))))")
        }
    }
}

struct StateFileError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
