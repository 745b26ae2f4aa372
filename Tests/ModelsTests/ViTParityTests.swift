import Autodiff
import Formats
import Foundation
import Kernels
import Models
import TestSupport
import Testing

/// The expected values timm computed for a fixture's input image.
func expectedValues(_ name: String) throws -> [String: JSONValue] {
    guard case .object(let fields) = try JSONFile.read(vitFixture(name) + "/expected.json") else {
        throw FileError(path: name, problem: "expected.json is not an object")
    }
    return fields
}

func floats(_ value: JSONValue?) -> [Float] {
    guard case .array(let items)? = value else { return [] }
    return items.compactMap(\.doubleValue).map(Float.init)
}

@Suite struct ViTParityTests {
    /// As loaded (every product through BLAS), and prepared for inference
    /// with the matrices packed for each kernel the CPU runs (the others
    /// have nothing to check here).
    @Test(arguments: vitFixtureNames, [nil] + PackedWeights.Kernel.allCases)
    func logitsMatchTimm(name: String, packedFor kernel: PackedWeights.Kernel?) throws {
        let model = try ViTModel.load(vitFixture(name))
        if let kernel {
            guard kernel.isSupported else { return }
            model.prepareForInference(kernel: kernel)
        }
        let image = try ImageFile.read(path: vitFixture(name) + "/input.png")
        let prepared = ImagePreprocessor.prepare(image, for: model.config.preprocessing)
        let logits = model.transformer.logits(.init(prepared.tensor)).value.array
        let expected = floats(try expectedValues(name)["logits"])
        #expect(logits.count == model.config.classes && expected.count == logits.count)
        let scale = max(1, expected.map(abs).max() ?? 0)
        #expect(maxAbsoluteError(logits, expected) <= 1e-4 * scale, "\(name) packed for \(kernel.map { "\($0)" } ?? "none")")
    }

    @Test func configAndLabelsComeFromConfigJSON() throws {
        let model = try ViTModel.load(vitFixture("vit64_grey_10"))
        #expect(model.config.imageHeight == 64 && model.config.patchSize == 8 && model.config.depth == 3)
        #expect(model.config.heads == 4 && model.config.inChannels == 1 && model.config.classes == 10)
        #expect(model.config.labels[3] == "class-3")
        #expect(model.config.preprocessing.mean == [0.5] && model.config.preprocessing.std == [0.25])
        let unlabelled = try ViTModel.load(vitFixture("vit224_rgb_1000"))
        #expect(unlabelled.config.labels[999] == "999")
        #expect(model.config.globalPool == .token)
        #expect(try ViTModel.load(vitFixture("vit32_grey_5_avg")).config.globalPool == .avg)
    }

    @Test func averagePoolingReadsOnlyThePatchTokensInAnyOrder() throws {
        let model = try ViTModel.load(vitFixture("vit32_grey_5_avg")).transformer
        var generator = SeededGenerator(seed: 5)
        let tokens = Tensor.uniform([1, 6, model.config.embedDimension], in: -2...2, using: &generator)
        let logits = model.classify(Variable(tokens)).value.array
        let width = model.config.embedDimension
        let changed = Tensor(shape: tokens.shape, values: tokens.array)
        for channel in 0..<width { changed.pointer[channel] = 7 }  // the CLS row
        let patches = Array(tokens.array[width...])
        let reversed = (0..<5).reversed().flatMap { patches[($0 * width)..<(($0 + 1) * width)] }
        (changed.pointer + width).update(from: reversed, count: reversed.count)
        #expect(maxAbsoluteError(model.classify(Variable(changed)).value.array, logits) < 1e-5)
    }

    /// Average pooling; LayerScale without a qkv bias; no CLS token, with the final norm before the mean.
    @Test(arguments: ["vit32_grey_5_avg", "vit32_grey_5_ls", "vit32_grey_3_reg2_gap"])
    func modelRoundTripsThroughItsFolder(name: String) throws {
        var config = try ViTModel.load(vitFixture(name)).config
        config.architecture = "written_" + name
        let model = VisionTransformer(config: config, parameters: VisionTransformer.initialParameters(config, seed: 3))
        #expect((model.parameters["fc_norm.weight"] != nil) == config.headNormAfterPool)
        #expect((model.parameters["blocks.0.ls1.gamma"]?.array.allSatisfy { $0 == 0.1 } ?? false) == (config.layerScaleInit != nil))
        let directory = try TemporaryDirectory()
        let folder = try directory.folder(name)
        try ModelWriter.write(model, to: folder)
        let loaded = try ViTModel.load(folder)
        #expect(loaded.config == config)
        var generator = SeededGenerator(seed: 6)
        let images = Tensor.uniform([2, 1, 32, 32], in: -1...1, using: &generator)
        #expect(loaded.transformer.logits(Variable(images)).value.array == model.logits(Variable(images)).value.array)
    }
}

func modelArguments(_ fields: inout [String: JSONValue], _ key: String, _ value: JSONValue) {
    guard case .object(var arguments)? = fields["model_args"] else { return }
    arguments[key] = value
    fields["model_args"] = .object(arguments)
}

@Suite struct ModelFolderErrorTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }

    /// A copy of the grey fixture folder, called `name`, with an edited config.json.
    func fixtureCopy(_ name: String = "model", edit: (inout [String: JSONValue]) -> Void) throws -> String {
        let folder = try directory.folder(name)
        try FileManager.default.copyItem(atPath: vitFixture("vit64_grey_10") + "/model.safetensors", toPath: folder + "/model.safetensors")
        guard case .object(var fields) = try JSONFile.read(vitFixture("vit64_grey_10") + "/config.json") else { fatalError("fixture config") }
        edit(&fields)
        try JSONFile.write(.object(fields), to: folder + "/config.json")
        return folder
    }

    func problem(_ folder: String) -> String {
        do {
            _ = try ViTModel.load(folder)
            return "loaded"
        } catch let error as FileError {
            return error.description
        } catch {
            return "other: \(error)"
        }
    }

    @Test func mismatchedWeightsNameTheTensorAndShapes() throws {
        let folder = try fixtureCopy { modelArguments(&$0, "embed_dim", .integer(40)) }
        let text = problem(folder)
        #expect(text.contains("model.safetensors") && text.contains("cls_token") && text.contains("[1, 1, 32]") && text.contains("[1, 1, 40]"), "\(text)")
    }

    @Test func headCountMustDivideWidth() throws {
        let folder = try fixtureCopy { modelArguments(&$0, "num_heads", .integer(5)) }
        #expect(problem(folder).contains("head count 5 does not divide width 32"))
    }

    @Test func unknownArchitectureWithoutArgumentsIsRefused() throws {
        let folder = try fixtureCopy { $0["model_args"] = nil }
        let text = problem(folder)
        #expect(text.contains("config.json") && text.contains("unknown architecture") && text.contains("model_args"))
    }

    @Test func knownArchitectureNeedsNoArguments() throws {
        let folder = try fixtureCopy {
            $0["model_args"] = nil
            $0["architecture"] = .string("deit_tiny_patch16_224")
            $0["pretrained_cfg"] = nil
        }
        // The name is understood; the weights then do not fit a DeiT-Tiny.
        #expect(problem(folder).contains("has shape [1, 1, 32], expected [1, 1, 192]"))
    }

    @Test func labelCountMustMatchClasses() throws {
        let folder = try fixtureCopy { $0["label_names"] = .array([.string("a")]) }
        #expect(problem(folder).contains("1 label names for 10 classes"))
    }

    @Test func unsupportedVariantsAreNamed() throws {
        let attentionPool = try fixtureCopy("map") { modelArguments(&$0, "global_pool", .string("map")) }
        #expect(problem(attentionPool).contains("global_pool"))
        let notBoolean = try fixtureCopy("fc-norm-text") { modelArguments(&$0, "fc_norm", .string("after")) }
        #expect(problem(notBoolean).contains("\"model_args.fc_norm\" must be true, false or null"))
    }

    @Test func finalNormPlacementFollowsFCNorm() throws {
        // The fixture's final norm is `norm`: averaging with it before the pool loads, after the pool needs `fc_norm`.
        let normBeforePool = try fixtureCopy("avg-no-fc-norm") {
            modelArguments(&$0, "global_pool", .string("avg"))
            modelArguments(&$0, "fc_norm", .bool(false))
        }
        #expect(problem(normBeforePool) == "loaded")
        let tokenAfterPool = try fixtureCopy("token-fc-norm") { modelArguments(&$0, "fc_norm", .bool(true)) }
        #expect(problem(tokenAfterPool).contains("missing tensor fc_norm.weight"), "\(problem(tokenAfterPool))")
    }

    @Test func stemWidthsAreChecked() throws {
        let notIntegers = try fixtureCopy("stem-text") { modelArguments(&$0, "stem_widths", .array([.string("wide")])) }
        #expect(problem(notIntegers).contains("\"model_args.stem_widths\" must be an array of integers"))
        let zero = try fixtureCopy("stem-zero") { modelArguments(&$0, "stem_widths", .array([.integer(0)])) }
        #expect(problem(zero).contains("stem widths must be positive"))
        // The fixture's weights have no stem, so a stem in its config leaves them short.
        let missing = try fixtureCopy("stem-missing") { modelArguments(&$0, "stem_widths", .array([.integer(4)])) }
        #expect(problem(missing).contains("stem.0.weight"), "\(problem(missing))")
    }

    @Test func patchHiddenWidthIsChecked() throws {
        let notInteger = try fixtureCopy("hidden-text") { modelArguments(&$0, "patch_hidden_width", .string("wide")) }
        #expect(problem(notInteger).contains("\"model_args.patch_hidden_width\" must be an integer"))
        let negative = try fixtureCopy("hidden-negative") { modelArguments(&$0, "patch_hidden_width", .integer(-3)) }
        #expect(problem(negative).contains("the patch hidden width must not be negative"))
        // The fixture's patch embedding is timm's linear one, so a hidden layer in its config finds no weights.
        let missing = try fixtureCopy("hidden-missing") { modelArguments(&$0, "patch_hidden_width", .integer(4)) }
        #expect(problem(missing).contains("patch_embed.hidden.weight"), "\(problem(missing))")
    }

    @Test func registerArgumentsAreChecked() throws {
        let notInteger = try fixtureCopy("reg-text") { modelArguments(&$0, "reg_tokens", .string("four")) }
        #expect(problem(notInteger).contains("\"model_args.reg_tokens\" must be an integer"))
        let negative = try fixtureCopy("reg-negative") { modelArguments(&$0, "reg_tokens", .integer(-1)) }
        #expect(problem(negative).contains("the register token count must not be negative"))
        let notBoolean = try fixtureCopy("no-embed-text") { modelArguments(&$0, "no_embed_class", .integer(1)) }
        #expect(problem(notBoolean).contains("\"model_args.no_embed_class\" must be true or false"))
        // The fixture has neither registers nor a position table without the CLS row.
        let missing = try fixtureCopy("reg-missing") { modelArguments(&$0, "reg_tokens", .integer(4)) }
        #expect(problem(missing).contains("reg_token"), "\(problem(missing))")
        let patchesOnly = try fixtureCopy("no-embed-class") { modelArguments(&$0, "no_embed_class", .bool(true)) }
        #expect(problem(patchesOnly).contains("has shape [1, 65, 32], expected [1, 64, 32]"), "\(problem(patchesOnly))")
    }

    @Test func layerScaleAndQKVBiasArgumentsAreChecked() throws {
        let notNumber = try fixtureCopy("ls-text") { modelArguments(&$0, "init_values", .string("small")) }
        #expect(problem(notNumber).contains("\"model_args.init_values\" must be a number or null"))
        let notBoolean = try fixtureCopy("qkv-bias-text") { modelArguments(&$0, "qkv_bias", .integer(0)) }
        #expect(problem(notBoolean).contains("\"model_args.qkv_bias\" must be true or false"))
        // The fixture has no LayerScale factors, and its qkv projection has a bias.
        let missing = try fixtureCopy("ls-missing") { modelArguments(&$0, "init_values", .number(1e-5)) }
        #expect(problem(missing).contains("missing tensor blocks.0.ls1.gamma"), "\(problem(missing))")
        let unexplained = try fixtureCopy("qkv-bias-unexplained") { modelArguments(&$0, "qkv_bias", .bool(false)) }
        #expect(problem(unexplained).contains("tensor blocks.0.attn.qkv.bias is not part of the model"), "\(problem(unexplained))")
        // timm builds no LayerScale for a start value of 0 or null.
        for (index, start) in [JSONValue.null, .integer(0)].enumerated() {
            let none = try fixtureCopy("ls-none-\(index)") { modelArguments(&$0, "init_values", start) }
            #expect(problem(none) == "loaded")
        }
    }

    @Test func classTokenArgumentIsChecked() throws {
        let notBoolean = try fixtureCopy("class-token-text") { modelArguments(&$0, "class_token", .integer(0)) }
        #expect(problem(notBoolean).contains("\"model_args.class_token\" must be true or false"))
        let tokenHead = try fixtureCopy("class-token-head") { modelArguments(&$0, "class_token", .bool(false)) }
        #expect(problem(tokenHead).contains("a model without a class token needs global_pool \"avg\""))
        // Without CLS the position table of the fixture is one row too long.
        let withoutClass = try fixtureCopy("class-token-off") {
            modelArguments(&$0, "class_token", .bool(false))
            modelArguments(&$0, "global_pool", .string("avg"))
        }
        #expect(problem(withoutClass).contains("tensor pos_embed has shape [1, 65, 32], expected [1, 64, 32]"), "\(problem(withoutClass))")
    }

    @Test func mlpWidthTruncatesAsTimmDoes() {
        let config = ViTConfig(architecture: "so150m", imageHeight: 256, imageWidth: 256, patchSize: 16, embedDimension: 896, depth: 18,
                               heads: 14, mlpRatio: 2.572, inChannels: 3, classes: 1000)
        #expect(config.hiddenDimension == 2304)
    }

    @Test func knownDeiTIIIHasLayerScaleAndPatchOnlyPositions() throws {
        let config = try #require(ViTConfig.known("deit3_small_patch16_224"))
        #expect(config.layerScaleInit == 1e-6 && !config.positionsIncludePrefix && config.qkvBias)
        #expect(config.embedDimension == 384 && config.heads == 6 && config.depth == 12)
        let shapes = Dictionary(uniqueKeysWithValues: VisionTransformer.expectedShapes(config))
        #expect(shapes["pos_embed"] == [1, 196, 384] && shapes["blocks.11.ls2.gamma"] == [384])
        #expect(ViTConfig.known("deit3_tiny_patch16_224") == nil && ViTConfig.knownArchitectures.contains("deit3_medium_patch16_224"))
    }

    @Test func averagePoolingNeedsItsNormAfterThePool() throws {
        // A CLS-read-out checkpoint relabelled "avg" has `norm` where timm
        // then expects `fc_norm`.
        let folder = try fixtureCopy { modelArguments(&$0, "global_pool", .string("avg")) }
        #expect(problem(folder).contains("fc_norm.weight"))
    }

    @Test func scorerSettingsMustFitTheModel() throws {
        // The fixture has 3 blocks of width 32, so a Scorer may read after block 1 or 2.
        func folder(withScorer settings: ScorerConfig, _ name: String) throws -> String {
            let folder = try fixtureCopy(name) { _ in }
            try Scorer(config: settings, parameters: Scorer.initialParameters(settings, seed: 1)).save(to: folder + "/scorer.safetensors")
            return folder
        }
        for layer in [0, 3] {
            let text = problem(try folder(withScorer: ScorerConfig(layer: layer, inputDimension: 32, hiddenDimension: 8), "layer-\(layer)"))
            #expect(text.contains("scorer.safetensors") && text.contains("scorer layer \(layer) is outside 1..<3"), "\(text)")
        }
        let wide = problem(try folder(withScorer: ScorerConfig(layer: 1, inputDimension: 40, hiddenDimension: 8), "wide"))
        #expect(wide.contains("scorer input width 40 does not match the model width 32"), "\(wide)")
        let fitting = try folder(withScorer: ScorerConfig(layer: 2, inputDimension: 32, hiddenDimension: 8), "fitting")
        #expect(try ViTModel.load(fitting).pruningBlocks == 2)
    }

    @Test func missingPiecesAreNamed() throws {
        #expect(problem("/nonexistent-model").contains("no such model folder"))
        let empty = try directory.folder("empty")
        #expect(problem(empty).contains("no config.json"))
        let noWeights = try fixtureCopy("no-weights") { _ in }
        try FileManager.default.removeItem(atPath: noWeights + "/model.safetensors")
        #expect(problem(noWeights).contains("model.safetensors"))
        try Data("pickle".utf8).write(to: URL(fileURLWithPath: noWeights + "/pytorch_model.bin"))
        #expect(problem(noWeights).contains("pytorch_model.bin, which is not read"))
        let brokenJSON = try fixtureCopy("broken-json") { _ in }
        try Data("{\"architecture\": ".utf8).write(to: URL(fileURLWithPath: brokenJSON + "/config.json"))
        #expect(problem(brokenJSON).contains("invalid JSON"))
    }
}
