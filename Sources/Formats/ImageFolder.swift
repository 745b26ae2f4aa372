import Foundation
import Kernels

/// A directory of class sub-folders of images, the layout of ImageNet and
/// Caltech101: the classes are the sub-folder names in sorted order, the
/// samples the image files directly inside them (by extension, any case),
/// sorted by class and then by name. Hidden files and folders are skipped.
/// Images are read when asked for.
///
/// The held-out split puts a file in `test` when a hash of its path relative
/// to the directory ("class/name"), mixed with the seed, falls in the first
/// `testPercent` of 100 buckets. A file keeps its side when others are added
/// or removed, and the same tree splits the same way on every machine.
public struct ImageFolder: LabelledImageSource {
    public enum Split: String, Sendable, CaseIterable {
        case all, train, test
    }

    public struct Sample: Equatable, Sendable {
        public let path: String
        public let label: Int

        public init(path: String, label: Int) {
            self.path = path
            self.label = label
        }
    }

    public static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "ppm", "pgm"]

    public let directory: String
    public let classNames: [String]
    public let samples: [Sample]

    public var count: Int { samples.count }

    public init(directory: String, split: Split = .all, testPercent: Int = 20, seed: UInt64 = 0) throws {
        guard (0...100).contains(testPercent) else {
            throw FileError(path: directory, problem: "test percentage \(testPercent) is outside 0...100")
        }
        self.directory = directory
        let root = URL(fileURLWithPath: directory)
        classNames = try visibleEntries(of: directory).filter { isDirectory(root.appendingPathComponent($0).path) }
        guard !classNames.isEmpty else {
            throw FileError(path: directory, problem: "no class sub-folders")
        }
        var samples: [Sample] = []
        var imageCount = 0
        for (label, className) in classNames.enumerated() {
            let classDirectory = root.appendingPathComponent(className)
            for name in try visibleEntries(of: classDirectory.path)
            where Self.imageExtensions.contains((name as NSString).pathExtension.lowercased()) {
                let path = classDirectory.appendingPathComponent(name).path
                guard !isDirectory(path) else { continue }
                imageCount += 1
                let heldOut = Self.isHeldOut("\(className)/\(name)", testPercent: testPercent, seed: seed)
                if split == .all || heldOut == (split == .test) { samples.append(Sample(path: path, label: label)) }
            }
        }
        guard imageCount > 0 else {
            throw FileError(path: directory, problem: "no images (png, jpg, jpeg, ppm, pgm) in the class sub-folders")
        }
        self.samples = samples
    }

    /// Whether the file at `relativePath` ("class/name") belongs to the test split.
    public static func isHeldOut(_ relativePath: String, testPercent: Int, seed: UInt64) -> Bool {
        // FNV-1a, then one SplitMix64 step to spread the seed over every bit.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in relativePath.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        var generator = SeededGenerator(seed: hash ^ seed)
        return Int(generator.next() % 100) < testPercent
    }

    public func image(at index: Int) throws -> Tensor { try ImageFile.read(path: samples[index].path) }

    public func label(at index: Int) -> Int { samples[index].label }
}

/// Sorted names in a directory, without hidden ones.
private func visibleEntries(of directory: String) throws -> [String] {
    guard isDirectory(directory) else {
        throw FileManager.default.fileExists(atPath: directory) ? FileError.notADirectory(directory) : FileError.missing(directory)
    }
    do {
        return try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix(".") }.sorted()
    } catch {
        throw FileError.unreadable(directory, error.localizedDescription)
    }
}
