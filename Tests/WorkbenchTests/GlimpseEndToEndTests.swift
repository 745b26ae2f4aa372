import Foundation
import TestSupport
import Testing
import Workbench

/// The real `glimpse` binary on a real model, driven through tmux as a user
/// would: start-up, palette, views, keep rate, a bad file from the browser,
/// resizing below 80×24 and back, and `q`.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux"), "needs tmux"))
struct GlimpseEndToEndTests {
    let model = RepositoryPaths.fixtures.appendingPathComponent("vit/vit64_grey_10").path

    /// Runs glimpse in `directory` from a script that prints its exit
    /// status afterwards (tmux may lose a pane's own status).
    /// The image is copied into `directory`, where the file browser opens.
    func session(in directory: TemporaryDirectory, state: TemporaryDirectory) throws -> TmuxSession {
        try FileManager.default.copyItem(atPath: model + "/input.png", toPath: directory.path + "/input.png")
        try state.file("run.sh", contents: """
            cd '\(directory.path)'
            '\(GlimpseBinary.path)' --model '\(model)' --image input.png
            echo "workbench exited with $?"
            read line
            """)
        return try TmuxSession(command: "sh '\(state.path)/run.sh'", columns: 120, rows: 40,
                               environment: ["TERM": "tmux-256color", "XDG_STATE_HOME": state.path])
    }

    @Test func aUserSessionFromStartToQuit() throws {
        let directory = try TemporaryDirectory(), state = try TemporaryDirectory()
        try directory.file("broken.png", contents: "this is not a PNG")
        let session = try session(in: directory, state: state)
        defer { session.kill() }
        try session.waitUntil(timeout: 30) { $0.contains("Dense top-5") && $0.contains("(32/64)") && $0.contains("class-5") }

        try session.send("+")
        try session.waitUntil { $0.contains("keep 55% (36/64)") }
        try session.send("C-p")
        try session.waitUntil { $0.contains("Commands") && $0.contains("View: Image") }
        try session.send("rollo", literal: true)
        try session.waitUntil { $0.contains("View: Rollout") && !$0.contains("View: Image") }
        try session.send("Enter")
        try session.waitUntil { $0.contains("5 Rollout  8×8 tokens") }
        try session.send("2")
        try session.waitUntil { $0.contains("2 Grad-CAM  8×8 tokens") }

        try session.send("o")
        try session.waitUntil { $0.contains("broken.png") && $0.contains("input.png") }
        try session.send("Enter")
        try session.waitUntil { $0.contains("broken.png:") && $0.contains("Dense top-5") && $0.contains("class-5") }

        try session.resize(columns: 60, rows: 20)
        try session.waitUntil { $0.contains("terminal too small") }
        try session.resize(columns: 120, rows: 40)
        try session.waitUntil { $0.contains("Dense top-5") && !$0.contains("too small") }

        try session.send("q")
        let screen = try session.waitUntil(timeout: 10) { $0.contains("workbench exited with 0") }
        #expect(!screen.contains("Dense top-5"), "the terminal is back to the shell screen")
        let recent = try String(contentsOfFile: state.path + "/glimpse/state.json", encoding: .utf8)
        #expect(recent.contains("vit64_grey_10") && recent.contains("input.png") && !recent.contains("broken.png"))
    }
}
