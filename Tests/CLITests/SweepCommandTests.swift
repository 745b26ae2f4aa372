import Foundation
import TestSupport
import Testing

@Suite struct SweepCommandTests {
    /// Per-class counts: every image is the same picture under ten labels,
    /// so the dense model is right on exactly the class it predicts; shards
    /// merge to the whole sweep's counts, and `--per-class` prints them.
    @Test func perClassCountsSurviveShardsAndMerge() throws {
        let model = vitFixture("vit64_grey_10")
        let scratch = try TemporaryDirectory()
        let folder = try scratch.imageFolder(copying: model + "/input.png", count: 60, classes: 10)
        let sweep = ["sweep", "--model", model, "--data", folder, "--split", "train", "--keep", "0.5",
                     "--policies", "none,random", "--json"]
        let whole = try GlimpseBinary.run(sweep)
        #expect(whole.status == 0, "\(whole.standardError)")
        let document = try jsonObject(whole.standardOutput)
        let images = try #require(document["images_by_class"] as? [Int])
        #expect(images.count == 10 && images.reduce(0, +) == document["images"] as? Int)
        let dense = numbers(document["dense_accuracy_by_class"])
        #expect(dense.count == 10 && dense.filter { $0 == 1 }.count == 1 && dense.filter { $0 == 0 }.count == 9, "\(dense)")
        let rows = try #require(document["rows"] as? [[String: Any]])
        for row in rows {
            let correct = try #require(row["correct_by_class"] as? [Int])
            #expect(correct.reduce(0, +) == row["correct"] as? Int)
        }
        var shards: [String] = []
        for shard in 0..<2 {
            let result = try GlimpseBinary.run(sweep + ["--shard", "\(shard)/2"])
            #expect(result.status == 0, "\(result.standardError)")
            shards.append(try scratch.write(Array(result.standardOutput.utf8), to: "shard\(shard).json"))
        }
        let merged = try jsonObject(try GlimpseBinary.run(["sweep", "merge", "--json"] + shards).standardOutput)
        #expect(merged["images_by_class"] as? [Int] == images)
        #expect(merged["dense_correct_by_class"] as? [Int] == document["dense_correct_by_class"] as? [Int])
        let mergedRows = try #require(merged["rows"] as? [[String: Any]])
        #expect(mergedRows.map { $0["correct_by_class"] as? [Int] } == rows.map { $0["correct_by_class"] as? [Int] })
        let text = try GlimpseBinary.run(["sweep", "merge", "--per-class"] + shards)
        #expect(text.status == 0 && text.standardOutput.contains("keep 0.50"), "\(text.standardOutput)")
        let names = try #require(document["class_names"] as? [String])
        #expect(names.count == 10 && names.allSatisfy { text.standardOutput.contains($0) })
    }

    /// `--markdown` prints the JSON's accuracies as a table with keep rates
    /// down and policies across, and `--per-class` a table per keep rate.
    @Test func markdownTablesCarryTheSweptAccuracies() throws {
        let model = vitFixture("vit64_grey_10")
        let scratch = try TemporaryDirectory()
        let folder = try scratch.imageFolder(copying: model + "/input.png", count: 60, classes: 10)
        let sweep = ["sweep", "--model", model, "--data", folder, "--split", "train", "--keep", "0.5,0.25",
                     "--policies", "none,random,gradcam"]
        let document = try jsonObject(try GlimpseBinary.run(sweep + ["--json"]).standardOutput)
        let result = try GlimpseBinary.run(sweep + ["--markdown", "--per-class"])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let dense = try #require(document["dense_accuracy"] as? Double), images = try #require(document["images"] as? Int)
        #expect(lines.first == String(format: "Accuracy on %d images; dense: %.2f%%.", images, dense * 100))
        #expect(lines.contains("| keep | random | gradcam (oracle) |"))
        let rows = try #require(document["rows"] as? [[String: Any]])
        func accuracy(_ policy: String, _ keep: Double) -> String {
            let row = rows.first { $0["policy"] as? String == policy && $0["keep"] as? Double == keep }
            return String(format: "%.2f%%", ((row?["accuracy"] as? Double) ?? .nan) * 100)
        }
        for (keep, written) in [(0.5, "0.5"), (0.25, "0.25")] {
            #expect(lines.contains("| \(written) | \(accuracy("random", keep)) | \(accuracy("gradcam", keep)) |"), "\(lines)")
            let grid = try #require(lines.firstIndex(of: "Keep \(written):"))
            #expect(lines[grid + 2] == "| class | images | dense | random | gradcam |")
            let classLines = lines[(grid + 4)..<(grid + 14)]
            #expect(classLines.allSatisfy { $0.hasPrefix("| ") && $0.split(separator: "|").count == 5 }, "\(classLines)")
        }
        #expect(!result.standardOutput.contains("└"), "no line plot in Markdown output")
    }
}
