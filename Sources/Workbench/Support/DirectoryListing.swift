import Foundation

/// One row of the file browser.
public struct DirectoryEntry: Hashable, Sendable {
    public let name: String
    public let isDirectory: Bool

    public init(name: String, isDirectory: Bool) {
        self.name = name
        self.isDirectory = isDirectory
    }
}

/// What the file browser lists: folders, then images, each sorted by name.
public enum DirectoryListing {
    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "ppm", "pgm"]

    /// The visible folders and images of `path`, or a one-line error.
    public static func read(_ path: String) -> Result<[DirectoryEntry], ListingError> {
        let manager = FileManager.default
        let names: [String]
        do {
            names = try manager.contentsOfDirectory(atPath: path)
        } catch {
            return .failure(ListingError(description: "\(path): cannot list this folder"))
        }
        var folders = [DirectoryEntry](), images = [DirectoryEntry]()
        for name in names where !name.hasPrefix(".") {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: (path as NSString).appendingPathComponent(name),
                                     isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                folders.append(DirectoryEntry(name: name, isDirectory: true))
            } else if imageExtensions.contains((name as NSString).pathExtension.lowercased()) {
                images.append(DirectoryEntry(name: name, isDirectory: false))
            }
        }
        let byName: (DirectoryEntry, DirectoryEntry) -> Bool = {
            $0.name.localizedStandardCompare($1.name) == .orderedAscending
        }
        return .success(folders.sorted(by: byName) + images.sorted(by: byName))
    }

    /// The parent of an absolute path; "/" stays "/".
    public static func parent(of path: String) -> String {
        let parent = (path as NSString).deletingLastPathComponent
        return parent.isEmpty ? "/" : parent
    }

    public static func join(_ directory: String, _ name: String) -> String {
        (directory as NSString).appendingPathComponent(name)
    }
}

public struct ListingError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String

    public init(description: String) { self.description = description }
}
