import ArgumentParser
import Foundation
import Kernels

/// Exit statuses: 0 success, 1 runtime error (bad file, bad model), 2 usage.
enum ExitStatus {
    static let runtimeError: Int32 = 1
    static let usage: Int32 = 2
}

func writeError(_ line: String) {
    FileHandle.standardError.write(Data(("glimpse: " + line.replacingOccurrences(of: "\n", with: " ") + "\n").utf8))
}

/// Maps any failure to an exit status and at most one stderr line.
/// ArgumentParser classifies its own errors: help is success, parse and
/// validation failures are usage errors; everything else is a runtime error.
func report(_ error: Error) -> Int32 {
    if let exit = error as? ExitCode { return exit.rawValue }
    let code = Glimpse.exitCode(for: error)
    if code == .success {
        print(Glimpse.fullMessage(for: error))
        return 0
    }
    if code == .validationFailure {
        let message = Glimpse.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid usage"
        writeError((message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message) + " (see glimpse --help)")
        return ExitStatus.usage
    }
    writeError(String(describing: error))
    return ExitStatus.runtimeError
}

func runCommandLine() -> Int32 {
    do {
        var command = try Glimpse.parseAsRoot()
        try command.run()
        return 0
    } catch {
        return report(error)
    }
}

/// OpenBLAS reads OPENBLAS_CORETYPE only as it loads, so getting kernels that
/// fit this CPU means starting the process again with it set. Should the
/// restart fail, the run goes on with the kernels already loaded.
func restartWithFittingBLASKernels() {
    guard let core = BLASCoreType.preferred else { return }
    setenv("OPENBLAS_CORETYPE", core, 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
}

restartWithFittingBLASKernels()
exit(runCommandLine())
