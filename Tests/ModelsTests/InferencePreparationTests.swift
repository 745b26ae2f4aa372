import Autodiff
import Kernels
import Models
import TestSupport
import Testing

@Suite struct InferencePreparationTests {
    func parameters() -> Parameters {
        var generator = SeededGenerator(seed: 5)
        return Parameters(["fc.weight": Tensor.random([32, 8], using: &generator),
                           "fc.bias": Tensor.random([32], using: &generator),
                           "narrow.weight": Tensor.random([1, 8], using: &generator)])
    }

    @Test func preparedParametersPackTheirMatricesOnly() {
        let parameters = parameters()
        #expect(parameters.variable("fc.weight").packed == nil)
        parameters.prepareForInference()
        #expect(parameters.variable("fc.weight").packed?.kernel == PackedWeights.Kernel.best)
        #expect(parameters.variable("fc.bias").packed == nil)
        #expect(parameters.variable("narrow.weight").packed == nil)
        #expect(parameters.sharingTensors().preparedForInference)
    }

    /// A tensor set after preparing is what the next pass multiplies by.
    @Test func settingATensorReplacesItsPackedCopy() {
        let parameters = parameters()
        parameters.prepareForInference()
        let input = Variable(Tensor(shape: [3, 8], repeating: 1))
        let before = linear(input, weight: parameters.variable("fc.weight"), bias: nil).value.array
        parameters.set("fc.weight", Tensor(shape: [32, 8], repeating: 0.5))
        let after = linear(input, weight: parameters.variable("fc.weight"), bias: nil).value.array
        #expect(before != after)
        #expect(after.allSatisfy { $0 == 4 })
    }
}
