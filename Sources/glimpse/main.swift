import ArgumentParser
import Foundation

/// Exit statuses: 0 success, 1 runtime error (bad file, bad model), 2 usage.
enum ExitStatus {
    static let runtimeError: Int32 = 1
    static let usage: Int32 = 2
}

/// Parses and runs a command, mapping failures to one line on stderr.
func runCommandLine() -> Int32 {
    let command: ParsableCommand
    do {
        command = try Glimpse.parseAsRoot()
    } catch {
        let code = Glimpse.exitCode(for: error)
        if code == .success {
            print(Glimpse.fullMessage(for: error))
            return 0
        }
        // One line: the problem, then where to read more.
        let message = Glimpse.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid usage"
        let problem = message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message
        FileHandle.standardError.write(Data("glimpse: \(problem) (see glimpse --help)\n".utf8))
        return ExitStatus.usage
    }
    do {
        var runnable = command
        try runnable.run()
        return 0
    } catch let exit as ExitCode {
        return exit.rawValue
    } catch let usage as ValidationError {
        FileHandle.standardError.write(Data("glimpse: \(usage.message)\n".utf8))
        return ExitStatus.usage
    } catch {
        let line = String(describing: error).replacingOccurrences(of: "\n", with: " ")
        FileHandle.standardError.write(Data("glimpse: \(line)\n".utf8))
        return ExitStatus.runtimeError
    }
}

exit(runCommandLine())
