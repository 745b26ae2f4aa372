import Autodiff
import Formats
import Foundation
import Kernels
import Methods
import Models
import TestSupport
import Testing

func expected(_ name: String) throws -> [String: JSONValue] {
    guard case .object(let fields) = try JSONFile.read(vitFixture(name) + "/expected.json") else { return [:] }
    return fields
}

func floatArray(_ value: JSONValue?) -> [Float] {
    guard case .array(let items)? = value else { return [] }
    return items.compactMap(\.doubleValue).map(Float.init)
}

func preparedInput(_ name: String, for model: ViTModel) throws -> PreparedImage {
    ImagePreprocessor.prepare(try ImageFile.read(path: vitFixture(name) + "/input.png"), for: model.config.preprocessing)
}

@Suite struct GradCAMTests {
    @Test(arguments: vitFixtureNames)
    func gradcamAndRolloutMatchPyTorch(name: String) throws {
        let model = try ViTModel.load(vitFixture(name))
        let values = try expected(name)
        let input = try preparedInput(name, for: model)
        let pass = DensePass.run(model.transformer, images: input.tensor,
                                 options: DensePassOptions(keepAttention: true, gradcam: true))
        #expect(pass.gradcamClasses == [values["gradcam_class"]?.intValue ?? -1])
        #expect(maxAbsoluteError(pass.gradcam[0], floatArray(values["gradcam"])) <= 2e-3, "\(name) top-1")
        #expect(maxAbsoluteError(Rollout.map(attention: pass.attention, prefixTokens: model.config.prefixTokenCount, classToken: model.config.classToken), floatArray(values["rollout"])) <= 2e-3, "\(name) rollout")

        let second = values["gradcam_second_class"]?.intValue ?? -1
        let chosen = DensePass.run(model.transformer, images: input.tensor,
                                   options: DensePassOptions(gradcam: true, targetClasses: [second]))
        #expect(chosen.gradcamClasses == [second])
        #expect(maxAbsoluteError(chosen.gradcam[0], floatArray(values["gradcam_second"])) <= 2e-3, "\(name) second class")
        // Explaining another class changes the map: the target is honoured.
        #expect(maxAbsoluteError(chosen.gradcam[0], pass.gradcam[0]) > 1e-2)
    }

    @Test func batchedGradCAMEqualsOneImageAtATime() throws {
        let model = try ViTModel.load(vitFixture("vit64_grey_10"))
        var generator = SeededGenerator(seed: 5)
        let images = Tensor.uniform([3, 1, 64, 64], in: -2...2, using: &generator)
        let together = DensePass.run(model.transformer, images: images, options: DensePassOptions(gradcam: true))
        for item in 0..<3 {
            let single = Tensor(shape: [1, 1, 64, 64], values: Array(images.array[(item * 4096)..<((item + 1) * 4096)]))
            let alone = DensePass.run(model.transformer, images: single, options: DensePassOptions(gradcam: true))
            #expect(alone.gradcamClasses[0] == together.gradcamClasses[item])
            #expect(maxAbsoluteError(alone.gradcam[0], together.gradcam[item]) < 1e-4)
        }
    }
}

@Suite struct BlockGradientTests {
    /// One timm block's gradients of Σ probe ⊙ block(x) from PyTorch.
    @Test func blockGradientsMatchPyTorch() throws {
        let file = try SafetensorsFile(path: RepositoryPaths.fixtures.appendingPathComponent("vit/block_gradients.safetensors").path)
        let config = ViTConfig(architecture: "block", imageHeight: 32, imageWidth: 32, patchSize: 8, embedDimension: 24, depth: 1,
                               heads: 3, mlpRatio: 2, inChannels: 1, classes: 5)
        let parameters = VisionTransformer.initialParameters(config, seed: 0)
        let blockNames = ["norm1.weight", "norm1.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight", "attn.proj.bias",
                          "norm2.weight", "norm2.bias", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias"]
        for name in blockNames { parameters.set("blocks.0." + name, try file.tensor(named: name)) }
        let model = VisionTransformer(config: config, parameters: parameters)
        parameters.beginTrainingStep()
        let x = Variable(try file.tensor(named: "x"), requiresGradient: true)
        let output = model.block(0, x).tokens
        #expect(maxAbsoluteError(output.value.array, try file.tensor(named: "output").array) < 1e-4)
        output.backward(seed: try file.tensor(named: "probe"))
        let gradients = parameters.endTrainingStep()
        #expect(maxRelativeError(x.gradient!.array, try file.tensor(named: "x.grad").array) < 1e-4)
        for name in blockNames {
            let expected = try file.tensor(named: name + ".grad").array
            #expect(maxRelativeError(gradients["blocks.0." + name]!.array, expected) < 1e-4, "\(name)")
        }
    }
}
