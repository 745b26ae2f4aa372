import Formats
import Foundation
import Methods

/// How sweeps are printed, saved and read back.
enum SweepReport {
    static func emit(_ result: SweepResult, json: Bool, csv: String?) throws {
        if let csv { try writeCSV(result, to: csv) }
        if json {
            print(document(result).serialized)
        } else {
            print(table(result))
            print()
            print(LinePlot.render(result.rows, width: 64, height: 16))
        }
    }

    static func document(_ result: SweepResult) -> JSONValue {
        .object([
            "rows": .array(result.tallies.map { tally in
                let row = tally.row
                return .object([
                    "policy": .string(row.policy.rawValue), "keep": .number(row.keep),
                    "accuracy": .number(row.accuracy), "agreement": .number(row.agreement),
                    "gflops": .number(row.gflops), "ms_per_image": .number(row.msPerImage),
                    "images": .integer(tally.images), "correct": .integer(tally.correct), "agreeing": .integer(tally.agreeing),
                    "milliseconds": .number(tally.milliseconds), "multiply_adds": .number(tally.multiplyAdds),
                ])
            }),
            "dense_accuracy": .number(result.denseAccuracy),
            "images": .integer(result.images),
            "dense_correct": .integer(result.denseCorrect),
        ])
    }

    /// Reads a shard written by `document`.
    static func read(_ path: String) throws -> SweepResult {
        func fail(_ problem: String) -> FileError { FileError(path: path, problem: problem) }
        guard case .object(let fields) = try JSONFile.read(path), case .array(let rows)? = fields["rows"],
              let images = fields["images"]?.intValue, let denseCorrect = fields["dense_correct"]?.intValue else {
            throw fail("not a sweep result (needs rows, images, dense_correct)")
        }
        let tallies = try rows.map { row -> SweepTally in
            guard case .object(let entry) = row, let policy = entry["policy"]?.stringValue.flatMap(PruningPolicy.init(rawValue:)),
                  let keep = entry["keep"]?.doubleValue, let count = entry["images"]?.intValue,
                  let correct = entry["correct"]?.intValue, let agreeing = entry["agreeing"]?.intValue,
                  let milliseconds = entry["milliseconds"]?.doubleValue, let multiplyAdds = entry["multiply_adds"]?.doubleValue else {
                throw fail("a row lacks policy, keep, images, correct, agreeing, milliseconds or multiply_adds")
            }
            var tally = SweepTally(policy: policy, keep: keep)
            tally.images = count
            tally.correct = correct
            tally.agreeing = agreeing
            tally.milliseconds = milliseconds
            tally.multiplyAdds = multiplyAdds
            return tally
        }
        var result = SweepResult(tallies: tallies)
        result.images = images
        result.denseCorrect = denseCorrect
        return result
    }

    static func table(_ result: SweepResult) -> String {
        var lines = [String(format: "%d images, dense accuracy %.2f%%", result.images, result.denseAccuracy * 100),
                     "policy          keep  accuracy  agreement  GFLOPs    ms/image"]
        for row in result.rows {
            lines.append(String(format: "%@ %5.2f  %7.2f%%  %8.2f%%  %7.4f  %8.3f",
                                row.policy.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0),
                                row.keep, row.accuracy * 100, row.agreement * 100, row.gflops, row.msPerImage))
        }
        return lines.joined(separator: "\n")
    }

    static func writeCSV(_ result: SweepResult, to path: String) throws {
        var text = "policy,keep,accuracy,agreement,gflops,ms_per_image\n"
        for row in result.rows {
            text += "\(row.policy.rawValue),\(row.keep),\(row.accuracy),\(row.agreement),\(row.gflops),\(row.msPerImage)\n"
        }
        try AtomicFileWriter.write(to: path) { try $0.append(Array(text.utf8)) }
    }
}
