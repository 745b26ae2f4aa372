import Foundation

/// A one-line progress bar on stderr, redrawn in place at most ten times
/// a second.
final class ProgressBar {
    private let title: String
    private var lastDraw: Double = 0
    private let interactive = isatty(STDERR_FILENO) != 0

    init(title: String) { self.title = title }

    func update(fraction: Double, detail: String, secondsRemaining: Double) {
        let now = Date().timeIntervalSince1970
        guard fraction >= 1 || now - lastDraw >= (interactive ? 0.1 : 30) else { return }
        lastDraw = now
        let width = 24
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "█", count: min(filled, width)) + String(repeating: "·", count: max(0, width - filled))
        let line = String(format: "%@ %@ %5.1f%%  %@  ETA %@", title, bar, fraction * 100, detail, Self.duration(secondsRemaining))
        FileHandle.standardError.write(Data(((interactive ? "\r\u{1B}[K" : "") + line + (interactive ? "" : "\n")).utf8))
    }

    func finish() {
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
                             : String(format: "%02d:%02d", total / 60, total % 60)
    }
}
