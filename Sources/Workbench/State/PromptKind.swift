import Foundation

/// The one-line prompts that commands needing an argument open.
public enum PromptKind: Equatable, Sendable {
    case imagePath, modelPath, keepRate, threshold, targetClass, exportPNG, exportJSON, sweep

    public var title: String {
        switch self {
        case .imagePath: "Open image (path)"
        case .modelPath: "Switch model (folder or embedded name)"
        case .keepRate: "Keep rate (0.05–1 or %)"
        case .threshold: "Score threshold (0–1)"
        case .targetClass: "Target class (index, label or auto)"
        case .exportPNG: "Export PNG to"
        case .exportJSON: "Export JSON to"
        case .sweep: "Sweep (data set path, image count)"
        }
    }

    /// Turns the typed text into a command, or a one-line reason it cannot.
    /// Relative paths resolve against `workingDirectory`; `labels` are the
    /// current model's classes.
    public func command(from text: String, workingDirectory: String,
                        labels: [String]) -> Result<WorkbenchCommand, PromptError> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return .failure(PromptError("type a value, or Esc to cancel")) }
        let path = Self.absolutePath(trimmed, workingDirectory: workingDirectory)
        switch self {
        case .imagePath: return .success(.openImage(path))
        case .modelPath: return .success(.loadModel(trimmed.contains("/") ? path : trimmed))
        case .exportPNG: return .success(.exportPNG(path))
        case .exportJSON: return .success(.exportJSON(path))
        case .keepRate: return Self.keepRate(trimmed).map(WorkbenchCommand.setKeepRate)
        case .threshold: return Self.threshold(trimmed).map(WorkbenchCommand.setThreshold)
        case .targetClass: return Self.targetClass(trimmed, labels: labels).map(WorkbenchCommand.setTargetClass)
        case .sweep: return Self.sweep(trimmed, workingDirectory: workingDirectory)
        }
    }

    static func absolutePath(_ text: String, workingDirectory: String) -> String {
        let expanded = (text as NSString).expandingTildeInPath
        let absolute = expanded.hasPrefix("/") ? expanded : DirectoryListing.join(workingDirectory, expanded)
        return (absolute as NSString).standardizingPath
    }

    private static func keepRate(_ text: String) -> Result<Double, PromptError> {
        let isPercent = text.hasSuffix("%")
        guard let number = Double(isPercent ? String(text.dropLast()) : text), number.isFinite else {
            return .failure(PromptError("\(text): not a number"))
        }
        let rate = isPercent || number > 1 ? number / 100 : number
        guard (0.01...1).contains(rate) else { return .failure(PromptError("\(text): keep rate must be in 1%…100%")) }
        return .success(rate)
    }

    private static func threshold(_ text: String) -> Result<Double, PromptError> {
        guard let number = Double(text), (0...1).contains(number) else {
            return .failure(PromptError("\(text): threshold must be a number in 0…1"))
        }
        return .success(number)
    }

    private static func targetClass(_ text: String, labels: [String]) -> Result<Int?, PromptError> {
        if text.lowercased() == "auto" { return .success(nil) }
        if let index = Int(text) {
            guard labels.indices.contains(index) else {
                return .failure(PromptError("\(text): class index must be in 0…\(max(0, labels.count - 1))"))
            }
            return .success(index)
        }
        guard let index = labels.firstIndex(where: { $0.caseInsensitiveCompare(text) == .orderedSame }) else {
            return .failure(PromptError("\(text): no such class"))
        }
        return .success(index)
    }

    private static func sweep(_ text: String, workingDirectory: String) -> Result<WorkbenchCommand, PromptError> {
        var words = text.split(separator: " ").map(String.init)
        var limit = 100
        if words.count > 1, let count = Int(words.last!) {
            guard count > 0 else { return .failure(PromptError("\(count): image count must be positive")) }
            limit = count
            words.removeLast()
        }
        let dataset = absolutePath(words.joined(separator: " "), workingDirectory: workingDirectory)
        return .success(.sweep(dataset: dataset, limit: limit))
    }
}

public struct PromptError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
