import Formats
import Kernels
import Methods
import Models
import TestSupport
import Testing

/// One 4×4 picture whose every pixel differs, so a mirrored or shifted
/// copy can be told from the original.
struct DistinctPixels: LabelledImageSource {
    var count: Int { 1 }
    var classNames: [String] { ["only"] }
    func image(at index: Int) throws -> Tensor { Tensor(shape: [1, 4, 4], values: (0..<16).map { Float($0 + 1) / 16 }) }
    func label(at index: Int) -> Int { 0 }
}

@Suite struct AugmentationTests {
    let preprocessing = Preprocessing(inputSize: [1, 4, 4], cropFraction: 1, interpolation: .bilinear, mean: [0], std: [1])

    /// The picture shifted by (dy, dx), optionally mirrored first, with
    /// uncovered pixels black: the naive reference.
    func expected(_ original: [Float], dy: Int, dx: Int, mirror: Bool) -> [Float] {
        (0..<16).map { position in
            let (y, x) = (position / 4 - dy, position % 4 - dx)
            guard (0..<4).contains(y), (0..<4).contains(x) else { return 0 }
            return original[y * 4 + (mirror ? 3 - x : x)]
        }
    }

    /// Which (mirror) variants the loader produced over 60 draws; fails on
    /// anything that is not a shift of the picture or of its mirror image.
    func drawnMirrors(mirroring: Bool) throws -> Set<Bool> {
        let loader = BatchLoader(source: DistinctPixels(), preprocessing: preprocessing, augmentShift: 1, augmentMirror: mirroring)
        var generator = SeededGenerator(seed: 3)
        let original = try loader.batch([0], augment: false, generator: &generator).images.array
        var seen = Set<Bool>()
        for _ in 0..<60 {
            let drawn = try loader.batch([0], augment: true, generator: &generator).images.array
            let matches = [false, true].filter { mirror in
                (-1...1).contains { dy in (-1...1).contains { dx in expected(original, dy: dy, dx: dx, mirror: mirror) == drawn } }
            }
            #expect(!matches.isEmpty, "\(drawn) is no shift of the picture or its mirror")
            seen.formUnion(matches)
        }
        return seen
    }

    @Test func mirroringCanBeTurnedOff() throws {
        #expect(try drawnMirrors(mirroring: true) == [false, true])
        #expect(try drawnMirrors(mirroring: false) == [false])
    }
}
