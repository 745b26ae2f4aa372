import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Drives a program in a detached tmux session on a private server, for
/// end-to-end tests: send keys, read the screen, wait for a condition.
///
/// Each session has its own socket (`tmux -L`), so tests never touch the
/// user's tmux server, and `kill()` ends only that server.
final class TmuxSession {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let socket = "glimpse-test-\(UUID().uuidString.prefix(8))"
    let target = "workbench"

    /// Starts `command` (a shell command line, run by `sh -c`) in a `columns`×`rows` window. The
    /// pane stays after the command exits so its last screen can be read.
    init(command: String, columns: Int, rows: Int, environment: [String: String] = [:]) throws {
        let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quoted($0.value))" }
        let line = (assignments.isEmpty ? "" : "env " + assignments.joined(separator: " ") + " ") + command
        try tmux(["new-session", "-d", "-s", target, "-x", "\(columns)", "-y", "\(rows)", line,
                  ";", "set-option", "-t", target, "remain-on-exit", "on"])
    }

    deinit { kill() }

    /// Sends keys in tmux's syntax ("Enter", "C-p", "Escape", "Up") or, with `literal`, as text.
    func send(_ keys: String..., literal: Bool = false) throws {
        try tmux(["send-keys", "-t", target] + (literal ? ["-l"] : []) + keys)
    }

    /// The visible screen as text, one line per row.
    func capture() throws -> String {
        try tmux(["capture-pane", "-p", "-t", target])
    }

    /// Polls the screen until `condition` holds; throws with the last
    /// screen when `timeout` seconds pass first.
    @discardableResult
    func waitUntil(timeout: TimeInterval = 5, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = try capture()
        while !condition(screen) {
            guard Date() < deadline else { throw Failure(description: "timed out; the screen was:\n\(screen)") }
            Thread.sleep(forTimeInterval: 0.02)
            screen = try capture()
        }
        return screen
    }

    func resize(columns: Int, rows: Int) throws {
        try tmux(["resize-window", "-t", target, "-x", "\(columns)", "-y", "\(rows)"])
    }

    /// The pane's size as tmux reports it.
    func paneSize() throws -> (columns: Int, rows: Int) {
        let numbers = try tmux(["display-message", "-p", "-t", target, "#{pane_width} #{pane_height}"])
            .split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard numbers.count == 2 else { throw Failure(description: "unexpected pane size \(numbers)") }
        return (numbers[0], numbers[1])
    }

    /// Whether the pane's command has exited. Its exit status is not
    /// offered: tmux 3.3 sometimes leaves `pane_dead_status` empty; let the
    /// command print its own (`cmd; echo "status $?"`) instead.
    func hasExited() throws -> Bool {
        try tmux(["display-message", "-p", "-t", target, "#{pane_dead}"]).hasPrefix("1")
    }

    /// Ends this session's private server and everything it runs.
    func kill() {
        _ = try? tmux(["kill-server"])
    }

    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        // -f /dev/null: the user's configuration must not change what tests see.
        let result = try ChildProcess.run(["tmux", "-L", socket, "-f", "/dev/null"] + arguments)
        guard result.status == 0 else {
            throw Failure(description: "tmux \(arguments.first ?? ""): \(result.output)")
        }
        return result.output
    }

    private static func quoted(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// Runs a program and collects its standard output and error.
///
/// Not Foundation's Process: test threads block most signals, a spawned
/// child inherits that mask, and a tmux server that never sees SIGCHLD or
/// SIGHUP outlives its panes. Here the child starts with an empty mask
/// and default handlers.
enum ChildProcess {
    private static let spawning = NSLock()

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        var output = [Int32](repeating: 0, count: 2)
        // From the pipe until the parent closes its write end, no other test
        // thread may spawn: its child would inherit the write end, a tmux
        // server it starts would hold it open, and this read would never end.
        spawning.lock()
        guard pipe(&output) == 0 else { spawning.unlock(); throw TmuxSession.Failure(description: "pipe failed") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, output[1], 2)
        posix_spawn_file_actions_addclose(&actions, output[0])
        posix_spawn_file_actions_addclose(&actions, output[1])
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t(), allSignals = sigset_t()
        sigemptyset(&emptyMask)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawnp(&pid, arguments[0], &actions, &attributes, &argv, environ)
        close(output[1])
        spawning.unlock()
        defer { close(output[0]) }
        guard spawned == 0 else { throw TmuxSession.Failure(description: "cannot run \(arguments[0])") }
        var collected = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(output[0], &buffer, buffer.count)
            if count > 0 { collected += buffer[0..<count] } else if count == 0 || errno != EINTR { break }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WEXITSTATUS, which Swift cannot import as a macro.
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
        return (exitStatus, String(decoding: collected, as: UTF8.self))
    }
}
