import Foundation
import TestSupport
import Testing
import Workbench

/// Golden-file comparison of rendered screens.
///
/// A snapshot has four layers, one line per screen row: the characters,
/// then the foreground and background palette index of every cell as two
/// hex digits ("..": terminal default), then the attributes as one hex
/// digit ("." for none). Set GLIMPSE_RECORD_SNAPSHOTS=1 to (re)write the
/// golden files; the recording run fails so it cannot pass by accident.
enum Snapshot {
    static let directory = RepositoryPaths.root.appendingPathComponent("Tests/WorkbenchTests/Snapshots")
    static let isRecording = ProcessInfo.processInfo.environment["GLIMPSE_RECORD_SNAPSHOTS"] == "1"

    static func encode(_ screen: Screen) -> String {
        func layer(_ title: String, _ cellText: (Cell) -> String) -> [String] {
            ["## \(title)"] + (0..<screen.size.rows).map { row in
                (0..<screen.size.columns).map { cellText(screen[row, $0]) }.joined()
            }
        }
        func hex(_ colour: PaletteColor) -> String {
            colour == .terminalDefault ? ".." : String(format: "%02x", colour.index)
        }
        let lines = ["# screen \(screen.size.columns)x\(screen.size.rows)", "## text"] + screen.lines
            + layer("foreground") { hex($0.style.foreground) }
            + layer("background") { hex($0.style.background) }
            + layer("attributes (1 bold, 2 reverse, 4 underline, 8 dim)") { cell in
                cell.style.attributes.isEmpty ? "." : String(cell.style.attributes.rawValue, radix: 16)
            }
        return lines.joined(separator: "\n") + "\n"
    }

    static func assertMatches(_ screen: Screen, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let golden = directory.appendingPathComponent("\(name).txt")
        let actual = encode(screen)
        if isRecording {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try? actual.write(to: golden, atomically: true, encoding: .utf8)
            Issue.record("recorded \(golden.path); run again without GLIMPSE_RECORD_SNAPSHOTS", sourceLocation: sourceLocation)
            return
        }
        guard let expected = try? String(contentsOf: golden, encoding: .utf8) else {
            Issue.record("no snapshot \(golden.path): record with GLIMPSE_RECORD_SNAPSHOTS=1 (actual at \(saveActual(actual, name)))",
                         sourceLocation: sourceLocation)
            return
        }
        guard expected != actual else { return }
        let expectedLines = expected.components(separatedBy: "\n")
        let actualLines = actual.components(separatedBy: "\n")
        let index = (0..<max(expectedLines.count, actualLines.count)).first { line in
            expectedLines.indices.contains(line) != actualLines.indices.contains(line)
                || expectedLines[line] != actualLines[line]
        } ?? 0
        func line(_ lines: [String]) -> String { lines.indices.contains(index) ? lines[index] : "<missing>" }
        Issue.record("""
            snapshot \(name) differs first at line \(index + 1):
              expected: \(line(expectedLines))
              actual:   \(line(actualLines))
            actual written to \(saveActual(actual, name))
            """, sourceLocation: sourceLocation)
    }

    private static func saveActual(_ text: String, _ name: String) -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("glimpse-snapshots")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("\(name).txt")
        try? text.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }
}
