import Foundation
import TestSupport
import Testing

func jsonObject(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

func numbers(_ value: Any?) -> [Double] { (value as? [Any])?.compactMap { ($0 as? NSNumber)?.doubleValue } ?? [] }

@Suite struct AnalyzeCommandTests {
    @Test(arguments: ["vit224_rgb_1000", "vit64_grey_10", "vit64_rgb_10_f16", "vit32_grey_7_bf16"])
    func jsonLogitsMatchTimm(name: String) throws {
        let folder = vitFixture(name)
        let result = try GlimpseBinary.run(["analyze", "--model", folder, "--image", folder + "/input.png", "--json"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.isEmpty)
        let document = try jsonObject(result.standardOutput)
        let expected = try jsonObject(String(contentsOfFile: folder + "/expected.json", encoding: .utf8))
        let logits = numbers(document["logits"]), reference = numbers(expected["logits"])
        #expect(logits.count == reference.count && !logits.isEmpty)
        let scale = max(1, reference.map(abs).max() ?? 0)
        #expect(zip(logits, reference).allSatisfy { abs($0 - $1) <= 1e-4 * scale })
        let grid = (document["grid"] as? [Int]) ?? []
        #expect(numbers(document["gradcam"]).count == grid.reduce(1, *))
        #expect(zip(numbers(document["gradcam"]), numbers(expected["gradcam"])).allSatisfy { abs($0 - $1) <= 2e-3 })
        #expect(document["gradcam_class"] as? Int == expected["gradcam_class"] as? Int)
        #expect((document["input_size"] as? [Int])?.count == 3)
        let top = try #require(document["top"] as? [[String: Any]])
        #expect(top.count == 5 && top[0]["index"] as? Int == expected["gradcam_class"] as? Int)
        let timings = try #require(document["timings_ms"] as? [String: Double])
        #expect(timings["preprocess"] != nil && timings["forward"] != nil && timings["pruned_forward"] == nil)
        #expect(document["model"] as? String == name)
    }

    @Test func pruningAddsKeptTokensAndPrunedResults() throws {
        let folder = vitFixture("vit64_grey_10")
        let result = try GlimpseBinary.run(["analyze", "--model", folder, "--image", folder + "/input.png", "--json",
                                            "--keep", "0.25", "--policy", "random", "--seed", "7", "--class", "3", "--top", "2"])
        #expect(result.status == 0, "\(result.standardError)")
        let document = try jsonObject(result.standardOutput)
        let kept = try #require(document["kept"] as? [Int])
        #expect(kept.count == 16 && kept == kept.sorted() && Set(kept).count == 16)
        #expect(numbers(document["pruned_logits"]).count == 10)
        #expect((document["pruned_top"] as? [Any])?.count == 2 && (document["top"] as? [Any])?.count == 2)
        #expect(document["gradcam_class"] as? Int == 3)
        let gflops = try #require(document["gflops"] as? [String: Double])
        #expect(gflops["pruned"]! < gflops["dense"]!)
        #expect((document["timings_ms"] as? [String: Double])?["pruned_forward"] != nil)
        #expect(document["policy"] as? String == "random" && document["keep"] as? Double == 0.25)
        // The same seed draws the same tokens.
        let again = try GlimpseBinary.run(["analyze", "--model", folder, "--image", folder + "/input.png", "--json",
                                           "--keep", "0.25", "--policy", "random", "--seed", "7"])
        #expect(try jsonObject(again.standardOutput)["kept"] as? [Int] == kept)
    }

    @Test func textReportListsTheTopClasses() throws {
        let folder = vitFixture("vit64_grey_10")
        let result = try GlimpseBinary.run(["analyze", "--model", folder, "--image", folder + "/input.png", "--top", "3"])
        #expect(result.status == 0)
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("top-3") })
        #expect(lines.filter { $0.hasPrefix("  1. ") || $0.hasPrefix("  2. ") || $0.hasPrefix("  3. ") }.count == 3)
        #expect(lines.contains { $0.hasPrefix("  1. class-5") })
    }
}
