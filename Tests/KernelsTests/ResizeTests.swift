import Foundation
import Kernels
import TestSupport
import Testing

/// PIL's resampling as a dense matrix [outputSize][inputSize]: every input
/// pixel whose centre lies inside the (stretched) filter support, weighted
/// by the filter at its distance from the output centre, normalised.
func naiveResampleMatrix(inputSize: Int, outputSize: Int, filter: ResizeFilter) -> [[Double]] {
    let scale = Double(inputSize) / Double(outputSize), stretch = max(scale, 1)
    return (0..<outputSize).map { output in
        let centre = (Double(output) + 0.5) * scale
        let row = (0..<inputSize).map { input -> Double in
            let x = abs(Double(input) + 0.5 - centre) / stretch
            switch filter {
            case .bilinear: return max(0, 1 - x)
            case .bicubic: return x < 1 ? 1.5 * x * x * x - 2.5 * x * x + 1 : x < 2 ? -0.5 * x * x * x + 2.5 * x * x - 4 * x + 2 : 0
            case .nearest: preconditionFailure("nearest has no filter")
            }
        }
        let total = row.reduce(0, +)
        return row.map { $0 / total }
    }
}

/// out[c, y, x] = Σᵢ Σⱼ rows[y][i] · columns[x][j] · in[c, i, j], without clipping.
func naiveResize(_ image: [Double], _ g: ResizeGeometry, filter: ResizeFilter) -> [Double] {
    var output = [Double](repeating: 0, count: g.channels * g.outHeight * g.outWidth)
    if filter == .nearest {
        for channel in 0..<g.channels {
            for y in 0..<g.outHeight {
                for x in 0..<g.outWidth {
                    let sourceY = Int(((Double(y) + 0.5) * Double(g.height) / Double(g.outHeight)).rounded(.down))
                    let sourceX = Int(((Double(x) + 0.5) * Double(g.width) / Double(g.outWidth)).rounded(.down))
                    output[(channel * g.outHeight + y) * g.outWidth + x] = image[(channel * g.height + sourceY) * g.width + sourceX]
                }
            }
        }
        return output
    }
    let rows = naiveResampleMatrix(inputSize: g.height, outputSize: g.outHeight, filter: filter)
    let columns = naiveResampleMatrix(inputSize: g.width, outputSize: g.outWidth, filter: filter)
    for channel in 0..<g.channels {
        for y in 0..<g.outHeight {
            for x in 0..<g.outWidth {
                var sum = 0.0
                for i in 0..<g.height {
                    for j in 0..<g.width { sum += rows[y][i] * columns[x][j] * image[(channel * g.height + i) * g.width + j] }
                }
                output[(channel * g.outHeight + y) * g.outWidth + x] = sum
            }
        }
    }
    return output
}

/// The committed PIL reference written by tools/fixtures/make_resize_fixture.py.
struct PILResizeFixture: Decodable {
    struct Case: Decodable {
        let filter: String
        let height: Int
        let width: Int
        let output: [Int]
    }

    let channels: Int
    let height: Int
    let width: Int
    let input: [Int]
    let cases: [Case]

    static func load() throws -> PILResizeFixture {
        let url = RepositoryPaths.fixtures.appendingPathComponent("resize/pil_resize.json")
        return try JSONDecoder().decode(PILResizeFixture.self, from: Data(contentsOf: url))
    }
}

struct ResizeCase: Sendable, CustomTestStringConvertible {
    var channels: Int, height: Int, width: Int, outHeight: Int, outWidth: Int

    var geometry: ResizeGeometry {
        ResizeGeometry(channels: channels, height: height, width: width, outHeight: outHeight, outWidth: outWidth)
    }
    var testDescription: String { "\(channels)×\(height)×\(width) → \(outHeight)×\(outWidth)" }

    /// Down, up, mixed in both pass orders, one axis unchanged, single pixels, and drawn sizes.
    static let all: [ResizeCase] = [
        ResizeCase(channels: 3, height: 7, width: 5, outHeight: 3, outWidth: 2),
        ResizeCase(channels: 2, height: 7, width: 5, outHeight: 16, outWidth: 11),
        ResizeCase(channels: 1, height: 13, width: 9, outHeight: 4, outWidth: 20),
        ResizeCase(channels: 1, height: 9, width: 13, outHeight: 20, outWidth: 4),
        ResizeCase(channels: 2, height: 7, width: 5, outHeight: 7, outWidth: 9),
        ResizeCase(channels: 2, height: 7, width: 5, outHeight: 4, outWidth: 5),
        ResizeCase(channels: 1, height: 1, width: 1, outHeight: 3, outWidth: 2),
        ResizeCase(channels: 1, height: 6, width: 4, outHeight: 1, outWidth: 1),
    ] + {
        var generator = SeededGenerator(seed: 17)
        return (0..<6).map { _ in
            ResizeCase(channels: Int.random(in: 1...3, using: &generator),
                       height: Int.random(in: 1...15, using: &generator), width: Int.random(in: 1...15, using: &generator),
                       outHeight: Int.random(in: 1...15, using: &generator), outWidth: Int.random(in: 1...15, using: &generator))
        }
    }()
}

@Suite struct ResizeTests {
    @Test(arguments: ResizeCase.all, [ResizeFilter.nearest, .bilinear, .bicubic])
    func matchesNaiveReference(_ testCase: ResizeCase, filter: ResizeFilter) {
        let g = testCase.geometry
        var generator = SeededGenerator(seed: UInt64(g.height * 100 + g.width))
        let image = Tensor.random([g.channels, g.height, g.width], using: &generator)
        let output = Resize.resize(image, height: g.outHeight, width: g.outWidth, filter: filter)
        #expect(output.shape == [g.channels, g.outHeight, g.outWidth])
        let expected = naiveResize(doubles(image), g, filter: filter)
        #expect(maxRelativeError(output.array, expected.map(Float.init)) < 1e-5)
    }

    /// PIL's 8-bit results within 1.5/255 (PIL rounds after each pass; the
    /// kernel does not), and nearest exactly.
    @Test func matchesPILOnFixture() throws {
        let fixture = try PILResizeFixture.load()
        let image = Tensor(shape: [fixture.channels, fixture.height, fixture.width],
                           values: fixture.input.map { Float($0) / 255 })
        let filters: [String: ResizeFilter] = ["nearest": .nearest, "bilinear": .bilinear, "bicubic": .bicubic]
        for reference in fixture.cases {
            let filter = try #require(filters[reference.filter])
            let output = Resize.resize(image, height: reference.height, width: reference.width, filter: filter,
                                       clampingTo: 0...1)
            let error = maxAbsoluteError(output.array, reference.output.map { Float($0) / 255 })
            #expect(error < (filter == .nearest ? 1e-7 : 1.5 / 255),
                    "\(reference.filter) → \(reference.height)×\(reference.width): error \(error * 255)/255")
        }
    }
}
