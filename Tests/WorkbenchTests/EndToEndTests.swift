import Foundation
import TestSupport
import Testing
import Workbench

/// The real terminal loop (curses, keys, resize, exit codes) driven
/// through tmux. The test binary itself hosts the workbench: run with
/// GLIMPSE_WORKBENCH_HOST=1 and a filter for `hostWorkbench`, it opens the
/// workbench on the fake engine, then prints "workbench exited with <status>"
/// (tmux cannot be trusted to report it).
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux"), "needs tmux"))
struct EndToEndTests {
    static let hostVariable = "GLIMPSE_WORKBENCH_HOST"

    @Test(.enabled(if: ProcessInfo.processInfo.environment[hostVariable] == "1"))
    func hostWorkbench() throws {
        let environment = ProcessInfo.processInfo.environment
        let options = WorkbenchOptions(image: Synthetic.imagePath, stateFile: environment["GLIMPSE_TEST_STATE_FILE"])
        let status = try runWorkbench(engine: FakeEngine(), options: options)
        print("workbench exited with \(status)")
        // tmux may drop a pane's last output when the process exits at
        // once, so stay until the session is killed.
        _ = readLine()
        exit(status)
    }

    /// A tmux session running this binary as the workbench host.
    static func session(terminal: String = "tmux-256color", columns: Int = 100, rows: Int = 30,
                        pipeOutput: Bool = false, stateDirectory: TemporaryDirectory) throws -> TmuxSession {
        let binary = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let command = "'\(binary)' --testing-library swift-testing --filter 'EndToEndTests/hostWorkbench'"
        return try TmuxSession(command: pipeOutput ? "\(command) | cat" : command, columns: columns, rows: rows,
                               environment: [hostVariable: "1", "TERM": terminal,
                                             "GLIMPSE_TEST_STATE_FILE": stateDirectory.path + "/state.json"])
    }

    static func exitStatus(_ session: TmuxSession) throws -> String {
        let marker = "workbench exited with "
        let screen = try session.waitUntil { $0.contains(marker) }
        let line = screen.split(separator: "\n").first { $0.hasPrefix(marker) } ?? ""
        return String(line.dropFirst(marker.count).prefix { $0.isNumber })
    }

    @Test func keysResizeAndQuit() throws {
        let directory = try TemporaryDirectory()
        let session = try Self.session(stateDirectory: directory)
        defer { session.kill() }
        try session.waitUntil(timeout: 20) { $0.contains("Dense top-5") && $0.contains("keep 50% (32/64)") }
        try session.send("+")
        try session.waitUntil { $0.contains("keep 55%") }
        try session.send("?")
        try session.waitUntil { $0.contains("Help (Esc closes") }
        try session.send("Escape")
        try session.waitUntil { !$0.contains("Help (Esc closes") }
        try session.resize(columns: 79, rows: 23)
        try session.waitUntil { $0.contains("terminal too small (need 80×24, have 79×23)") }
        try session.resize(columns: 120, rows: 40)
        try session.waitUntil { $0.contains("Dense top-5") && !$0.contains("too small") }
        try session.send("C-p")
        try session.send("rollout", literal: true)
        try session.send("Enter")
        try session.waitUntil { $0.contains("5 Rollout  8×8 tokens") }
        try session.send("o")
        try session.waitUntil { $0.contains("Open image: /data/images") }
        try session.send("Escape")
        try session.send("q")
        #expect(try Self.exitStatus(session) == "0")
        let state = try String(contentsOfFile: directory.path + "/state.json", encoding: .utf8)
        #expect(state.contains("synthetic-vit") && state.contains("sneaker.png"))
    }

    @Test func ctrlCRestoresTheTerminalAndExits130() throws {
        let directory = try TemporaryDirectory()
        let session = try Self.session(stateDirectory: directory)
        defer { session.kill() }
        try session.waitUntil(timeout: 20) { $0.contains("Dense top-5") }
        try session.send("C-c")
        #expect(try Self.exitStatus(session) == "130")
        #expect(try !session.capture().contains("Dense top-5"), "the alternate screen is gone")
    }

    @Test func terminalsWithoutColoursGetAscii() throws {
        let directory = try TemporaryDirectory()
        let session = try Self.session(terminal: "vt100", columns: 80, rows: 24, stateDirectory: directory)
        defer { session.kill() }
        try session.waitUntil(timeout: 20) { $0.contains("Dense top-5") && $0.contains(".:-=+*#%@") }
        #expect(try !session.capture().contains("▀"))
        try session.send("q")
        #expect(try Self.exitStatus(session) == "0")
    }

    @Test func refusesWhenStdoutIsNotATerminal() throws {
        let directory = try TemporaryDirectory()
        let session = try Self.session(pipeOutput: true, stateDirectory: directory)
        defer { session.kill() }
        try session.waitUntil(timeout: 20) {
            $0.contains("glimpse: the workbench needs a terminal; try `glimpse analyze`")
        }
    }

    @Test func aCorruptStateFileIsReportedAndReplaced() throws {
        let directory = try TemporaryDirectory()
        try directory.file("state.json", contents: "{ broken")
        let session = try Self.session(stateDirectory: directory)
        defer { session.kill() }
        try session.waitUntil(timeout: 20) { $0.contains("state.json: ignored, not a valid state file") }
        try session.send("q")
        #expect(try Self.exitStatus(session) == "0")
        #expect(StateFile(path: directory.path + "/state.json").load() != .missing)
        guard case .loaded = StateFile(path: directory.path + "/state.json").load() else {
            Issue.record("the state file was not rewritten")
            return
        }
    }
}
