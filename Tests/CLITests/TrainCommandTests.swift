import Foundation
import TestSupport
import Testing

@Suite struct TrainCommandTests {
    /// `train vit --from` fine-tunes a timm model folder on an image folder:
    /// the result keeps the model's architecture, gains a Scorer trained
    /// alongside, predicts differently from the start and says where it
    /// came from on its card.
    @Test func fineTuningATimmFolderWritesALoadableModel() throws {
        let start = vitFixture("vit64_rgb_10_f16")
        let image = start + "/input.png"
        let scratch = try TemporaryDirectory()
        let images = try scratch.imageFolder(copying: image, count: 40, classes: 10)
        let out = scratch.path("tuned")
        let training = try GlimpseBinary.run(["train", "vit", "--from", start, "--data", images, "--out", out,
                                              "--epochs", "2", "--batch-size", "4", "--learning-rate", "1e-2"])
        #expect(training.status == 0, "\(training.standardError)")
        let config = try jsonObject(String(contentsOfFile: out + "/config.json", encoding: .utf8))
        #expect(config["architecture"] as? String == "custom_vit_vit64_rgb_10_f16")
        #expect(FileManager.default.fileExists(atPath: out + "/scorer.safetensors"))
        #expect(!FileManager.default.fileExists(atPath: out + "/checkpoint.safetensors"))
        let card = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        #expect(card.contains("fine-tuned by Glimpse from `\(start)`"), "\(card)")
        #expect(card.contains("| Scorer | trained alongside on Grad-CAM, scoring tokens after block 1;"), "\(card)")
        #expect(card.contains("cores, OpenBLAS \(expectedBLASCore()) kernels) |"), "\(card)")
        let before = try GlimpseBinary.run(["analyze", "--model", start, "--image", image, "--json"])
        let after = try GlimpseBinary.run(["analyze", "--model", out, "--image", image, "--json", "--policy", "scorer", "--keep", "0.5"])
        #expect(after.status == 0, "\(after.standardError)")
        let original = numbers(try jsonObject(before.standardOutput)["logits"])
        let tuned = numbers(try jsonObject(after.standardOutput)["logits"])
        #expect(tuned.count == original.count && tuned != original)
    }

    /// A fresh ViT with registers and its Scorer at a chosen block trains,
    /// writes timm's `reg_tokens`, says both on its card, and prunes:
    /// Grad-CAM covers the patches only and the Scorer keeps half of them.
    @Test func registersTrainAndPrune() throws {
        let scratch = try TemporaryDirectory()
        let images = try scratch.imageFolder(copying: vitFixture("vit64_rgb_10_f16") + "/input.png", count: 16, classes: 2)
        let out = scratch.path("registered")
        let training = try GlimpseBinary.run(["train", "vit", "--data", images, "--out", out, "--registers", "3",
                                              "--image-size", "16", "--patch-size", "4", "--embed-dim", "16", "--depth", "4",
                                              "--epochs", "1", "--batch-size", "4", "--scorer-layer", "2"])
        #expect(training.status == 0, "\(training.standardError)")
        let config = try jsonObject(String(contentsOfFile: out + "/config.json", encoding: .utf8))
        #expect((config["model_args"] as? [String: Any])?["reg_tokens"] as? Int == 3)
        #expect(config["architecture"] as? String == "glimpse_vit_p4_reg3_16")
        let card = try String(contentsOfFile: out + "/README.md", encoding: .utf8)
        #expect(card.contains("MLP ratio 4.0, 3 register tokens, head on the CLS token"), "\(card)")
        #expect(card.contains("| Scorer | trained alongside on Grad-CAM, scoring tokens after block 2;"), "\(card)")
        let analysis = try GlimpseBinary.run(["analyze", "--model", out, "--image", scratch.path("images/class0/image0.png"),
                                              "--json", "--policy", "scorer", "--keep", "0.5"])
        #expect(analysis.status == 0, "\(analysis.standardError)")
        let fields = try jsonObject(analysis.standardOutput)
        #expect(numbers(fields["gradcam"]).count == 16 && numbers(fields["rollout"]).count == 16)
        #expect(numbers(fields["kept"]).count == 8)
    }

    /// A folder fine-tuned from a folder Glimpse trained shows the whole
    /// recipe on its card: every command, oldest first, and the time in all.
    @Test func fineTunedCardsCarryTheirStartsRecipe() throws {
        let scratch = try TemporaryDirectory()
        let images = try scratch.imageFolder(copying: vitFixture("vit64_rgb_10_f16") + "/input.png", count: 20, classes: 10)
        let common = ["--data", images, "--epochs", "1", "--batch-size", "4"]
        let stages = [["--from", vitFixture("vit64_rgb_10_f16")], ["--from", scratch.path("stage0"), "--token-drop", "0"],
                      ["--from", scratch.path("stage1"), "--learning-rate", "1e-4"]]
        var cards: [String] = []
        for (index, options) in stages.enumerated() {
            let card = scratch.path("stage\(index)/README.md")
            let training = try GlimpseBinary.run(["train", "vit", "--out", scratch.path("stage\(index)")] + options + common)
            #expect(training.status == 0, "\(training.standardError)")
            cards.append(try String(contentsOfFile: card, encoding: .utf8))
            let commands = cards[index].components(separatedBy: "```sh\n").last!.components(separatedBy: "\n```")[0]
            let expected = stages[...index].enumerated().map { earlier in
                (["glimpse", "train", "vit", "--out", scratch.path("stage\(earlier.offset)")] + earlier.element + common).joined(separator: " ")
            }
            #expect(commands == expected.joined(separator: "\n"), "\(cards[index])")
            if index == 0 {
                // The fixture has no card, so the first knows only its own time; a long one is planted for the next to add to.
                #expect(!cards[0].contains("in all"), "\(cards[0])")
                let planted = cards[0].replacingOccurrences(of: #"\| Wall time \| [0-9.]+ min"#, with: "| Wall time | 12.26 min", options: .regularExpression)
                try planted.write(toFile: card, atomically: true, encoding: .utf8)
            }
        }
        // Each run takes a second or two, so the totals are the planted 12.26 carried on, rounded.
        #expect(cards[1].contains("; 12.3 min in all, with the 12.3 min its start's card gives |"), "\(cards[1])")
        #expect(cards[2].contains("; 12.3 min in all, with the 12.3 min its start's card gives |"), "\(cards[2])")
    }

    /// Fine-tuning without the Scorer guide, or without dropping steps,
    /// keeps the folder's Scorer, and the card says where it came from.
    @Test(arguments: [["--token-drop-guide", "random"], ["--token-drop", "0"]])
    func fineTuningThatTrainsNoScorerKeepsTheScorer(options: [String]) throws {
        let scratch = try TemporaryDirectory()
        let images = try scratch.imageFolder(copying: vitFixture("vit64_rgb_10_f16") + "/input.png", count: 20, classes: 10)
        let first = scratch.path("first"), second = scratch.path("second")
        let common = ["--data", images, "--epochs", "1", "--batch-size", "4"]
        #expect(try GlimpseBinary.run(["train", "vit", "--from", vitFixture("vit64_rgb_10_f16"), "--out", first] + common).status == 0)
        let tuning = try GlimpseBinary.run(["train", "vit", "--from", first, "--out", second] + options + common)
        #expect(tuning.status == 0, "\(tuning.standardError)")
        let kept = try Data(contentsOf: URL(fileURLWithPath: second + "/scorer.safetensors"))
        #expect(kept == (try Data(contentsOf: URL(fileURLWithPath: first + "/scorer.safetensors"))))
        let card = try String(contentsOfFile: second + "/README.md", encoding: .utf8)
        #expect(card.contains("| Scorer | kept unchanged from `\(first)`, scoring tokens after block 1:"), "\(card)")
        #expect(!card.contains("trained alongside"), "\(card)")
    }
}
