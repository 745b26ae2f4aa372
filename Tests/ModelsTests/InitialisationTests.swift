import Kernels
import Models
import TestSupport
import Testing

@Suite struct InitialisationTests {
    let config = ViTConfig(architecture: "init", imageHeight: 8, imageWidth: 8, patchSize: 2, embedDimension: 64, depth: 2,
                           heads: 2, mlpRatio: 2, inChannels: 1, classes: 3, labels: ["a", "b", "c"],
                           preprocessing: Preprocessing(inputSize: [1, 8, 8], cropFraction: 1, interpolation: .bilinear,
                                                        mean: [0.5], std: [0.5]))

    /// Σ over rows r in `rows` of a[r]ᵀ·b[r]: the [D, D] product Aᵀ·B of two
    /// row slices of [R, D] matrices.
    func transposedProduct(_ a: [Float], _ b: [Float], rows: Range<Int>, width d: Int) -> [Float] {
        var result = [Float](repeating: 0, count: d * d)
        for row in rows { for i in 0..<d { for j in 0..<d { result[i * d + j] += a[row * d + i] * b[row * d + j] } } }
        return result
    }

    func diagonalMean(_ m: [Float], width d: Int) -> Float {
        (0..<d).map { m[$0 * (d + 1)] }.reduce(0, +) / Float(d)
    }

    @Test func mimeticInitialisationChangesOnlyTheAttentionWeights() {
        let timm = VisionTransformer.initialParameters(config, seed: 3)
        let mimetic = VisionTransformer.initialParameters(config, seed: 3, attention: .mimetic)
        for name in timm.names {
            let attention = name.hasSuffix("attn.qkv.weight") || name.hasSuffix("attn.proj.weight")
            #expect((timm[name]!.array == mimetic[name]!.array) != attention, "\(name)")
        }
    }

    /// Each head's W_qᵀ·W_k is the best rank-32 approximation of 0.7·(Z + I):
    /// its diagonal averages about 0.53 (0.53 to 0.535 over five numpy
    /// draws). W_proj·W_v is 0.4·(Z − I) exactly, Z with entries of
    /// variance 1/64: diagonal −0.4, off-diagonal RMS 0.05.
    @Test func mimeticProductsStartNearTheIdentity() {
        let parameters = VisionTransformer.initialParameters(config, seed: 3, attention: .mimetic)
        let d = 64
        for block in 0..<config.depth {
            let qkv = parameters["blocks.\(block).attn.qkv.weight"]!.array
            let keys = Array(qkv[(d * d)...])
            for head in 0..<2 {
                let queryKey = transposedProduct(qkv, keys, rows: (head * 32)..<((head + 1) * 32), width: d)
                #expect((0.5...0.56).contains(diagonalMean(queryKey, width: d)), "block \(block) head \(head)")
            }
            let projection = parameters["blocks.\(block).attn.proj.weight"]!.array
            let value = Array(qkv[(2 * d * d)...])
            // W_proj·W_v = (W_projᵀ)ᵀ·W_v.
            let outputValue = transposedProduct(transposed(projection, size: d), value, rows: 0..<d, width: d)
            #expect(abs(diagonalMean(outputValue, width: d) + 0.4) < 0.03)
            let offDiagonal = (0..<(d * d)).filter { $0 % (d + 1) != 0 }.map { outputValue[$0] }
            let rms = (offDiagonal.map { $0 * $0 }.reduce(0, +) / Float(offDiagonal.count)).squareRoot()
            #expect(abs(rms - 0.05) < 0.004)
        }
    }
}
