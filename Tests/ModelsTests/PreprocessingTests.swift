import Kernels
import Models
import TestSupport
import Testing

@Suite struct PreprocessingTests {
    let greyModel = Preprocessing(inputSize: [1, 8, 8], cropFraction: 0.5, interpolation: .bilinear, mean: [0.5], std: [0.25])

    @Test func imageAtInputSizeIsOnlyNormalised() {
        var generator = SeededGenerator(seed: 1)
        let image = Tensor.uniform([1, 8, 8], in: 0...1, using: &generator)
        let prepared = ImagePreprocessor.prepare(image, for: greyModel)
        #expect(prepared.tensor.shape == [1, 1, 8, 8])
        #expect(maxAbsoluteError(prepared.tensor.array, image.array.map { ($0 - 0.5) / 0.25 }) < 1e-6)
        // The display copy is RGB and unnormalised.
        #expect(prepared.display.shape == [3, 8, 8] && Array(prepared.display.array[64..<128]) == image.array)
    }

    @Test func shortSideIsResizedThenCentreCropped() {
        // A 20×40 image, input 8, crop 0.5: short side → floor(8/0.5) = 16,
        // so 16×32, then the centre 8×8 is rows 4..<12, columns 12..<20.
        var generator = SeededGenerator(seed: 3)
        let image = Tensor.uniform([1, 20, 40], in: 0...1, using: &generator)
        let resized = Tensor(uninitialized: [1, 16, 32])
        Resize.resize(ResizeGeometry(channels: 1, height: 20, width: 40, outHeight: 16, outWidth: 32), filter: .bilinear,
                      clampingTo: 0...1, input: image.pointer, output: resized.pointer)
        let display = ImagePreprocessor.prepare(image, for: greyModel).display
        for y in 0..<8 {
            for x in 0..<8 {
                #expect(display[flat: y * 8 + x] == resized[flat: (y + 4) * 32 + x + 12])
            }
        }
    }

    @Test func channelsFollowTheModel() {
        let rgb = Tensor(shape: [3, 1, 1], values: [1, 0.5, 0])
        let grey = ImagePreprocessor.prepare(rgb, for: Preprocessing(inputSize: [1, 1, 1], cropFraction: 1, interpolation: .bicubic,
                                                                     mean: [0], std: [1]))
        #expect(abs(grey.tensor[flat: 0] - (0.299 + 0.587 * 0.5)) < 1e-6)
        let single = Tensor(shape: [1, 1, 1], values: [0.25])
        let colour = ImagePreprocessor.prepare(single, for: Preprocessing(inputSize: [3, 1, 1], cropFraction: 1, interpolation: .bicubic,
                                                                         mean: [0, 0, 0], std: [1, 1, 1]))
        #expect(colour.tensor.array == [0.25, 0.25, 0.25])
    }
}
