import Formats
import Foundation
import Methods

/// How sweeps are printed, saved and read back.
enum SweepReport {
    static func emit(_ result: SweepResult, _ output: SweepOutputOptions) throws {
        if let csv = output.csv { try writeCSV(result, to: csv) }
        if output.json {
            print(document(result).serialized)
        } else if output.markdown {
            print(markdownTable(result))
            if output.perClass { print("\n" + classTables(result, markdown: true)) }
        } else {
            print(table(result))
            if output.perClass { print("\n" + classTables(result, markdown: false)) }
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

    /// Accuracy by class at one keep rate: a line per class with its
    /// images, dense accuracy and each policy's accuracy.
    struct ClassGrid {
        let keep: Double
        let policies: [String]
        /// Class name, images, then accuracies (nil where a class had no image).
        let lines: [(name: String, images: Int, accuracies: [Double?])]

        var text: String {
            let width = max(5, lines.map(\.name.count).max() ?? 0)
            func percent(_ value: Double?) -> String { value.map { String(format: "%7.2f%%", $0 * 100) } ?? "       –" }
            let header = "class".padding(toLength: width, withPad: " ", startingAt: 0) + "  images     dense"
                + policies.map { String(repeating: " ", count: max(1, 13 - $0.count)) + $0 }.joined()
            return ([String(format: "keep %.2f", keep), header] + lines.map { line in
                line.name.padding(toLength: width, withPad: " ", startingAt: 0) + String(format: "  %6d  ", line.images)
                    + percent(line.accuracies[0]) + line.accuracies.dropFirst().map { "     " + percent($0) }.joined()
            }).joined(separator: "\n")
        }

        var markdown: String {
            let header = ["class", "images", "dense"] + policies
            return (["Keep \(SweepReport.rate(keep)):", "", SweepReport.markdownRow(header),
                     SweepReport.markdownRow(header.map { _ in "---" })] + lines.map { line in
                SweepReport.markdownRow([line.name, String(line.images)] + line.accuracies.map(SweepReport.percent))
            }).joined(separator: "\n")
        }
    }

    /// One grid per keep rate of the pruned policies, in the order swept.
    private static func classGrids(_ result: SweepResult) -> [ClassGrid] {
        let names = result.classNames.count == result.imagesByClass.count
            ? result.classNames : result.imagesByClass.indices.map(String.init)
        let dense = result.denseAccuracyByClass
        let pruned = result.tallies.filter { $0.policy != .none }
        return distinct(pruned.map(\.keep)).map { keep in
            let columns = pruned.filter { $0.keep == keep }
            let accuracies = columns.map(result.accuracyByClass)
            return ClassGrid(keep: keep, policies: columns.map(\.policy.rawValue), lines: names.enumerated().map { index, name in
                (name, result.imagesByClass[index], [dense[index]] + accuracies.map { $0[index] })
            })
        }
    }

    static func classTables(_ result: SweepResult, markdown: Bool) -> String {
        guard !result.imagesByClass.isEmpty else { return "(no per-class counts: a merged shard lacked them)" }
        return classGrids(result).map { markdown ? $0.markdown : $0.text }.joined(separator: "\n\n")
    }

    /// Each value once, in the order first met.
    private static func distinct<Value: Equatable>(_ values: [Value]) -> [Value] {
        values.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
    }

    /// Accuracy of each pruned policy (columns) at each keep rate (rows),
    /// under a line with the image count and dense accuracy.
    static func markdownTable(_ result: SweepResult) -> String {
        let pruned = result.tallies.filter { $0.policy != .none }
        let policies = distinct(pruned.map(\.policy))
        let header = ["keep"] + policies.map { $0 == .gradcam ? "gradcam (oracle)" : $0.rawValue }
        let lines = distinct(pruned.map(\.keep)).map { keep in
            markdownRow([rate(keep)] + policies.map { policy in
                percent(pruned.first { $0.policy == policy && $0.keep == keep }.map(\.row.accuracy))
            })
        }
        return ([String(format: "Accuracy on %d images; dense: %@.", result.images, percent(result.denseAccuracy)), "",
                 markdownRow(header), markdownRow(header.map { _ in "---" })] + lines).joined(separator: "\n")
    }

    private static func markdownRow(_ cells: [String]) -> String { "| " + cells.joined(separator: " | ") + " |" }

    private static func percent(_ value: Double?) -> String { value.map { String(format: "%.2f%%", $0 * 100) } ?? "–" }

    /// A keep rate as written on the command line: 0.3, not 0.30.
    private static func rate(_ keep: Double) -> String { String(keep) }

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
