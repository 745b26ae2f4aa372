import Foundation
import Testing

/// The tmux driver against a trivial program, so it is ready for the
/// end-to-end tests of the real binary.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux"), "needs tmux"))
struct TmuxTests {
    @Test func sendsKeysAndWaitsForTheAnswer() throws {
        let session = try TmuxSession(command: "sh -c 'read x; echo got $x'", columns: 80, rows: 24)
        defer { session.kill() }
        try session.send("hello", literal: true)
        try session.send("Enter")
        let screen = try session.waitUntil { $0.contains("got hello") }
        #expect(screen.split(separator: "\n").contains("got hello"))
        try session.waitUntil { _ in (try? session.hasExited()) == true }
    }

    @Test func passesEnvironmentAndResizes() throws {
        let session = try TmuxSession(command: "sh -c 'echo \"$GREETING\"; read x'", columns: 80, rows: 24,
                                      environment: ["GREETING": "it's here"])
        defer { session.kill() }
        try session.waitUntil { $0.contains("it's here") }
        #expect(try session.paneSize() == (80, 24))
        try session.resize(columns: 100, rows: 30)
        #expect(try session.paneSize() == (100, 30))
        try session.resize(columns: 79, rows: 23)
        #expect(try session.paneSize() == (79, 23))
    }

    @Test func waitingTimesOutWithTheScreen() throws {
        let session = try TmuxSession(command: "sh -c 'echo ready; read x'", columns: 40, rows: 5)
        defer { session.kill() }
        #expect(throws: TmuxSession.Failure.self) { try session.waitUntil(timeout: 0.3) { $0.contains("never") } }
    }
}
