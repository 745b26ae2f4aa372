import Foundation
import TestSupport
import Testing

let greyConfig = #"{"architecture": "custom", "num_classes": 10, "model_args": {"img_size": 64, "patch_size": 8, "embed_dim": EMBED, "depth": 3, "num_heads": HEADS, "mlp_ratio": 2.0, "in_chans": 1}}"#

@Suite struct BadInputTests {
    let model = vitFixture("vit64_grey_10")
    let image = vitFixture("vit64_grey_10") + "/input.png"
    let scratch: TemporaryDirectory

    init() throws { scratch = try TemporaryDirectory() }

    /// A copy of the fixture model, called `name`, whose config.json is replaced by `text`.
    func modelWithConfig(_ name: String, _ text: String) throws -> String {
        let folder = try scratch.folder(name)
        try FileManager.default.copyItem(atPath: vitFixture("vit64_grey_10") + "/model.safetensors", toPath: folder + "/model.safetensors")
        try scratch.write(Array(text.utf8), to: name + "/config.json")
        return folder
    }

    /// Exit status 1 and exactly one stderr line naming `path` and `problem`.
    func expectRuntimeFailure(_ arguments: [String], path: String, problem: String,
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try GlimpseBinary.run(arguments)
        #expect(result.status == 1, "status \(result.status): \(result.standardError)", sourceLocation: sourceLocation)
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1, "\(result.standardError)", sourceLocation: sourceLocation)
        #expect(result.standardError.contains(path) && result.standardError.contains(problem),
                "\(result.standardError)", sourceLocation: sourceLocation)
        #expect(result.standardOutput.isEmpty, sourceLocation: sourceLocation)
    }

    @Test func badImages() throws {
        // Writes `bytes` into the scratch folder and expects analyze to refuse the file for `problem`.
        func expectRefused(_ bytes: [UInt8], as name: String, problem: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let file = try scratch.write(bytes, to: name)
            try expectRuntimeFailure(["analyze", "--model", model, "--image", file], path: file, problem: problem,
                                     sourceLocation: sourceLocation)
        }
        let missing = scratch.path("missing.png")
        try expectRuntimeFailure(["analyze", "--model", model, "--image", missing], path: missing, problem: "no such file")
        try expectRuntimeFailure(["analyze", "--model", model, "--image", scratch.path], path: scratch.path, problem: "directory")
        try expectRefused([], as: "empty.png", problem: "empty")
        let png = Array(try Data(contentsOf: URL(fileURLWithPath: image)))
        try expectRefused(Array(png.prefix(png.count / 2)), as: "truncated.png", problem: "truncated")
        var corrupt = png
        for index in 40..<min(corrupt.count, 80) { corrupt[index] ^= 0x5A }
        try expectRefused(corrupt, as: "corrupt.png", problem: "PNG")
        try expectRefused(Array("hello, not an image".utf8), as: "notes.png", problem: "format")
        // 20000 × 20000 = 400 megapixels, refused from the header alone.
        try expectRefused(Array("P5\n20000 20000\n255\n".utf8) + [0, 1, 2], as: "huge.pgm", problem: "megapixel")
    }

    @Test func badModels() throws {
        try expectRuntimeFailure(["analyze", "--model", "/nonexistent/model", "--image", image],
                                 path: "/nonexistent/model", problem: "no such model folder")
        try expectRuntimeFailure(["analyze", "--model", image, "--image", image], path: image, problem: "not a model folder")
        let mismatched = try modelWithConfig("mismatched", greyConfig.replacingOccurrences(of: "EMBED", with: "48").replacingOccurrences(of: "HEADS", with: "4"))
        try expectRuntimeFailure(["analyze", "--model", mismatched, "--image", image], path: mismatched + "/model.safetensors",
                                 problem: "tensor cls_token has shape [1, 1, 32], expected [1, 1, 48]")
        let heads = try modelWithConfig("heads", greyConfig.replacingOccurrences(of: "EMBED", with: "32").replacingOccurrences(of: "HEADS", with: "3"))
        try expectRuntimeFailure(["analyze", "--model", heads, "--image", image], path: heads + "/config.json",
                                 problem: "head count 3 does not divide width 32")
        let unknown = try modelWithConfig("unknown", #"{"architecture": "mystery_net", "num_classes": 10}"#)
        try expectRuntimeFailure(["analyze", "--model", unknown, "--image", image], path: unknown + "/config.json",
                                 problem: "unknown architecture 'mystery_net'")
        let brokenJSON = try modelWithConfig("broken-json", "{\"architecture\": ")
        try expectRuntimeFailure(["analyze", "--model", brokenJSON, "--image", image], path: brokenJSON + "/config.json",
                                 problem: "invalid JSON")
        let truncatedWeights = try scratch.folder("truncated-weights")
        try FileManager.default.copyItem(atPath: model + "/config.json", toPath: truncatedWeights + "/config.json")
        let weights = try Data(contentsOf: URL(fileURLWithPath: model + "/model.safetensors"))
        try scratch.write(Array(weights.prefix(weights.count - 100)), to: "truncated-weights/model.safetensors")
        try expectRuntimeFailure(["analyze", "--model", truncatedWeights, "--image", image],
                                 path: truncatedWeights + "/model.safetensors", problem: "safetensors")
        let directoryWeights = try scratch.folder("directory-weights")
        try FileManager.default.copyItem(atPath: model + "/config.json", toPath: directoryWeights + "/config.json")
        try scratch.folder("directory-weights/model.safetensors")
        try expectRuntimeFailure(["analyze", "--model", directoryWeights, "--image", image],
                                 path: directoryWeights + "/model.safetensors", problem: "directory")
        let noScorer = ["analyze", "--model", model, "--image", image, "--policy", "scorer"]
        try expectRuntimeFailure(noScorer, path: model, problem: "no Scorer")
        let student = scratch.path("student")
        try expectRuntimeFailure(["train", "vit", "--out", student, "--teacher", model], path: model + "/config.json",
                                 problem: "is not a convolutional classifier")
        #expect(!FileManager.default.fileExists(atPath: student))
        let colourModel = vitFixture("vit64_rgb_10_f16")
        try expectRuntimeFailure(["train", "vit", "--out", student, "--from", colourModel], path: colourModel,
                                 problem: "takes 3-channel images and has 10 classes; fashion-mnist has 1-channel images")
        #expect(!FileManager.default.fileExists(atPath: student))
        let teacherAsViT = try modelWithConfig("teacher", #"{"architecture": "glimpse_cnn", "num_classes": 10, "model_args": {"img_size": 28, "in_chans": 1, "widths": [8]}}"#)
        try expectRuntimeFailure(["analyze", "--model", teacherAsViT, "--image", image], path: teacherAsViT + "/config.json",
                                 problem: "not a ViT")
    }

    @Test func usageErrorsExitWithTwo() throws {
        for arguments in [["analyze", "--model", model, "--image", image, "--keep", "2"],
                          ["analyze", "--model", model],
                          ["analyze", "--model", model, "--image", image, "--policy", "magic"],
                          ["analyze", "--model", model, "--image", image, "--class", "99"],
                          ["sweep", "--keep", "0,5"],
                          ["train", "vit", "--out", "unused", "--token-drop-keep", "0.5,0.2"],
                          ["train", "vit", "--out", "unused", "--token-drop-keep", "0.3"],
                          ["train", "vit", "--out", "unused", "--token-drop-keep", "0.2,0.4,x"],
                          ["train", "vit", "--out", "unused", "--distillation-weight", "1.5"],
                          ["train", "vit", "--out", "unused", "--stem-widths", "16,0"],
                          ["train", "vit", "--out", "unused", "--patch-hidden=-1"],
                          ["train", "vit", "--out", "unused", "--registers=-1"],
                          ["train", "vit", "--out", "unused", "--epochs", "3", "--average-epochs", "4"],
                          ["train", "vit", "--out", "unused", "--average-epochs", "0"],
                          ["train", "vit", "--out", "unused", "--scorer-every", "0"],
                          ["train", "vit", "--out", "unused", "--scorer-layer", "6"],
                          ["train", "vit", "--out", "unused", "--from", "fashion-vit", "--scorer-layer", "0"],
                          ["train", "vit", "--out", "unused", "--attention-init", "magic"],
                          ["train", "vit", "--out", "unused", "--from", "fashion-vit", "--attention-init", "mimetic"],
                          ["train", "cnn", "--out", "unused", "--widths", "32,0"],
                          ["train", "cnn", "--out", "unused", "--widths", "32,,64"],
                          ["sweep", "--json", "--markdown"],
                          ["sweep", "merge", "--json", "--markdown", "unused.json"],
                          ["frobnicate"]] {
            let result = try GlimpseBinary.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.status)")
            #expect(result.standardError.split(separator: "\n").count == 1, "\(arguments): \(result.standardError)")
        }
        let help = try GlimpseBinary.run(["--help"])
        #expect(help.status == 0 && help.standardOutput.contains("analyze") && help.standardOutput.contains("sweep"))
    }
}
