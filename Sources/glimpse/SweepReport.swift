import Formats
import Foundation
import Methods

/// How sweeps are printed, saved and read back.
enum SweepReport {
    static func emit(_ result: SweepResult, json: Bool, csv: String?, perClass: Bool) throws {
        if let csv { try writeCSV(result, to: csv) }
        if json {
            print(document(result).serialized)
        } else {
            print(table(result))
            if perClass { print("\n" + classTables(result)) }
            print()
            print(LinePlot.render(result.rows, width: 64, height: 16))
        }
    }

    /// Rates by class as JSON: null where a class had no image.
    private static func rates(_ values: [Double?]) -> JSONValue {
        .array(values.map { $0.map(JSONValue.number) ?? .null })
    }

    private static func integers(_ values: [Int]) -> JSONValue { .array(values.map(JSONValue.integer)) }

    /// Whole numbers of a JSON array, or [] when the field is absent (a
    /// shard written before per-class counts were kept) or not such a list.
    private static func integers(_ value: JSONValue?) -> [Int] {
        guard case .array(let items)? = value else { return [] }
        let numbers = items.compactMap(\.intValue)
        return numbers.count == items.count ? numbers : []
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
                    "accuracy_by_class": rates(result.accuracyByClass(tally)), "correct_by_class": integers(tally.correctByClass),
                ])
            }),
            "dense_accuracy": .number(result.denseAccuracy),
            "images": .integer(result.images),
            "dense_correct": .integer(result.denseCorrect),
            "class_names": .array(result.classNames.map(JSONValue.string)),
            "images_by_class": integers(result.imagesByClass),
            "dense_accuracy_by_class": rates(result.denseAccuracyByClass),
            "dense_correct_by_class": integers(result.denseCorrectByClass),
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
            tally.correctByClass = integers(entry["correct_by_class"])
            return tally
        }
        var result = SweepResult(tallies: tallies)
        result.images = images
        result.denseCorrect = denseCorrect
        if case .array(let names)? = fields["class_names"] { result.classNames = names.compactMap(\.stringValue) }
        result.imagesByClass = integers(fields["images_by_class"])
        result.denseCorrectByClass = integers(fields["dense_correct_by_class"])
        return result
    }

    /// One table per keep rate: a line per class with its images, dense
    /// accuracy and each policy's accuracy.
    static func classTables(_ result: SweepResult) -> String {
        guard !result.imagesByClass.isEmpty else { return "(no per-class counts: a merged shard lacked them)" }
        let names = result.classNames.count == result.imagesByClass.count
            ? result.classNames : result.imagesByClass.indices.map(String.init)
        let width = max(5, names.map(\.count).max() ?? 0)
        func percent(_ value: Double?) -> String {
            value.map { String(format: "%7.2f%%", $0 * 100) } ?? "       –"
        }
        let dense = result.denseAccuracyByClass
        let pruned = result.tallies.filter { $0.policy != .none }
        var blocks: [String] = []
        for keep in pruned.map(\.keep).reduce(into: [Double](), { if !$0.contains($1) { $0.append($1) } }) {
            let columns = pruned.filter { $0.keep == keep }
            var lines = [String(format: "keep %.2f", keep),
                         "class".padding(toLength: width, withPad: " ", startingAt: 0) + "  images     dense"
                            + columns.map { column in
                                let name = column.policy.rawValue
                                return String(repeating: " ", count: max(1, 13 - name.count)) + name
                            }.joined()]
            let accuracies = columns.map(result.accuracyByClass)
            for (index, name) in names.enumerated() {
                lines.append(name.padding(toLength: width, withPad: " ", startingAt: 0)
                             + String(format: "  %6d  ", result.imagesByClass[index]) + percent(dense[index])
                             + accuracies.map { "     " + percent($0[index]) }.joined())
            }
            blocks.append(lines.joined(separator: "\n"))
        }
        return blocks.joined(separator: "\n\n")
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
