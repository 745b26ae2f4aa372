import Foundation

/// Where the embedded models and sample images live.
///
/// `GLIMPSE_ASSETS` wins; then an `assets` folder next to the executable
/// (an installed copy); then the source tree this binary was built from,
/// which is where `swift build` and `make run` find them.
public enum Assets {
    public static var directory: String {
        let environment = ProcessInfo.processInfo.environment
        if let configured = environment["GLIMPSE_ASSETS"], !configured.isEmpty { return configured }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        let beside = executable.deletingLastPathComponent().appendingPathComponent("assets").path
        if FileManager.default.fileExists(atPath: beside) { return beside }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("assets").path
    }

    public static var modelsDirectory: String { directory + "/models" }
    public static var samplesDirectory: String { directory + "/samples" }

    /// Names of the embedded model folders.
    public static var embeddedModels: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: modelsDirectory)) ?? []
        return names.filter { FileManager.default.fileExists(atPath: modelsDirectory + "/" + $0 + "/config.json") }.sorted()
    }

    /// A bare name of an embedded model resolves to its folder; anything
    /// else is a path.
    public static func resolveModel(_ reference: String) -> String {
        if !reference.contains("/"), embeddedModels.contains(reference) { return modelsDirectory + "/" + reference }
        return reference
    }

    /// Bundled sample images, sorted.
    public static var sampleImages: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: samplesDirectory)) ?? []
        return names.filter { $0.hasSuffix(".png") }.sorted().map { samplesDirectory + "/" + $0 }
    }
}
