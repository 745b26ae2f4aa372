import Autodiff
import Formats
import Foundation
import Kernels
import Methods
import Models
import TestSupport
import Testing

@Suite struct TokenSelectionTests {
    @Test func keepCountIsTheCeilingWithinBounds() {
        #expect(TokenPruning.keepCount(patches: 196, keepRate: 0.5) == 98)
        #expect(TokenPruning.keepCount(patches: 196, keepRate: 0.3) == 59)  // ceil(58.8)
        #expect(TokenPruning.keepCount(patches: 10, keepRate: 0.3) == 3)    // exactly 3, not 4
        #expect(TokenPruning.keepCount(patches: 10, keepRate: 0.01) == 1)
        #expect(TokenPruning.keepCount(patches: 10, keepRate: 1) == 10)
    }

    @Test func selectionKeepsTheBestAscendingWithStableTies() {
        let scores: [Float] = [0.1, 0.9, 0.5, 0.9, 0.0, 0.7]
        #expect(TokenPruning.select(scores: scores, budget: .keepRate(0.5)) == [1, 3, 5])
        #expect(TokenPruning.select(scores: scores, budget: .keepRate(0.2)) == [1, 3])
        #expect(TokenPruning.select(scores: [0.5, 0.5, 0.5], budget: .keepRate(0.34)) == [0, 1])
        #expect(TokenPruning.select(scores: scores, budget: .threshold(0.6)) == [1, 3, 5])
        #expect(TokenPruning.select(scores: scores, budget: .threshold(0.95)) == [1])
    }

    @Test func randomScoresAreSeeded() {
        #expect(TokenPruning.randomScores(patches: 20, seed: 3) == TokenPruning.randomScores(patches: 20, seed: 3))
        #expect(TokenPruning.randomScores(patches: 20, seed: 3) != TokenPruning.randomScores(patches: 20, seed: 4))
    }
}

@Suite struct PrunedForwardTests {
    let model: ViTModel
    let input: PreparedImage

    init() throws {
        model = try ViTModel.load(vitFixture("vit64_grey_10"))
        input = try preparedInput("vit64_grey_10", for: model)
    }

    /// A plain timm ViT, one with registers and positions for the patches
    /// only, and one with registers but no CLS token.
    static let prunedFixtures = ["vit64_grey_10", "vit32_grey_6_reg2", "vit32_grey_3_reg2_gap"]

    @Test(arguments: prunedFixtures)
    func keepingEveryTokenReproducesTheDenseLogits(name: String) throws {
        let model = try ViTModel.load(vitFixture(name))
        let input = try preparedInput(name, for: model)
        let pass = DensePass.run(model.transformer, images: input.tensor, options: DensePassOptions(featuresAfterBlocks: 1))
        let logits = TokenPruning.forward(model.transformer, tokens: pass.features!, denseBlocks: 1,
                                          kept: [Array(0..<model.config.patchCount)])
        #expect(maxAbsoluteError(logits.array, pass.logits.array) < 1e-5)
    }

    @Test(arguments: prunedFixtures)
    func prunedPassIsTheModelOnTheGatheredSequence(name: String) throws {
        let model = try ViTModel.load(vitFixture(name))
        let input = try preparedInput(name, for: model)
        let pass = DensePass.run(model.transformer, images: input.tensor, options: DensePassOptions(featuresAfterBlocks: 1))
        let kept = [3, 10, 11, 40, 63]
        let logits = TokenPruning.forward(model.transformer, tokens: pass.features!, denseBlocks: 1, kept: [kept])
        // The same computation written out: gather the prefix (CLS, registers) and the kept rows by hand.
        let (width, prefix) = (model.config.embedDimension, model.config.prefixTokenCount)
        let rows = Tensor(uninitialized: [1, prefix + kept.count, width])
        for (position, token) in (Array(0..<prefix) + kept.map { $0 + prefix }).enumerated() {
            (rows.pointer + position * width).update(from: pass.features!.pointer + token * width, count: width)
        }
        var sequence = Variable(rows)
        for index in 1..<model.config.depth { sequence = model.transformer.block(index, sequence).tokens }
        #expect(logits.array == model.transformer.classify(sequence).value.array)
        #expect(maxAbsoluteError(logits.array, pass.logits.array) > 1e-3)
    }

    @Test func analyzerReportsPolicyBudgetAndCompute() throws {
        let analyzer = Analyzer(model: model)
        let dense = try analyzer.analyze(input: input, request: AnalysisRequest(policy: .none))
        #expect(dense.kept.count == 64 && dense.prunedLogits == dense.logits && dense.gflopsPruned == dense.gflopsDense)
        let pruned = try analyzer.analyze(input: input, request: AnalysisRequest(policy: .clsAttention, budget: .keepRate(0.25)))
        #expect(pruned.kept.count == 16 && pruned.gflopsPruned < dense.gflopsDense)
        #expect(pruned.logits == dense.logits)
        #expect(pruned.kept == TokenPruning.select(scores: Rollout.classAttention(
            DensePass.run(model.transformer, images: input.tensor, options: DensePassOptions(keepAttention: true)).attention[0],
            prefixTokens: 1, classToken: true),
            budget: .keepRate(0.25)))
        let oracle = try analyzer.analyze(input: input, request: AnalysisRequest(policy: .gradcam, budget: .threshold(0.5)))
        #expect(oracle.kept == oracle.gradcam.indices.filter { oracle.gradcam[$0] >= 0.5 })
        #expect(throws: FileError.self) { try analyzer.analyze(input: input, request: AnalysisRequest(policy: .scorer)) }
    }

    @Test func multiplyAddsFollowTheTokenCount() {
        let config = model.config
        let transformer = model.transformer
        let d = Double(config.embedDimension), hidden = Double(config.hiddenDimension)
        func block(_ n: Double) -> Double { n * d * (4 * d + 2 * hidden) + 2 * n * n * d }
        let patchEmbedding = Double(config.patchCount * config.patchSize * config.patchSize * config.inChannels) * d
        let head = d * Double(config.classes)
        #expect(transformer.multiplyAdds() == patchEmbedding + 3 * block(65) + head)
        #expect(transformer.multiplyAdds(denseBlocks: 1, patchesAfter: 16) == patchEmbedding + block(65) + 2 * block(17) + head)
    }
}
