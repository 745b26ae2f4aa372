import Foundation
import Formats
import Kernels
import TestSupport
import Testing

/// A safetensors file made of `header` (JSON text) and `dataSize` bytes of data.
func safetensorsBytes(header: String, data: [UInt8]) -> [UInt8] {
    let headerBytes = Array(header.utf8)
    return withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian, Array.init) + headerBytes + data
}

func safetensorsBytes(header: String, dataSize: Int) -> [UInt8] {
    safetensorsBytes(header: header, data: [UInt8](repeating: 0, count: dataSize))
}

@Suite struct SafetensorsTests {
    @Test func writesAndReadsFloat32() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("model.safetensors")
        var generator = Kernels.SeededGenerator(seed: 3)
        let tensors: [(name: String, tensor: Tensor)] = [
            ("head.weight", .random([10, 7], using: &generator)),
            ("blocks.0.bias", .random([7], using: &generator)),
            ("scale", Tensor(shape: [], values: [0.125])),
            ("empty", Tensor(zeros: [0, 3])),
        ]
        try Safetensors.write(tensors, metadata: ["format": "pt", "quote": "a \"b\"\n"], to: path)

        let file = try SafetensorsFile(path: path)
        #expect(file.names == ["blocks.0.bias", "empty", "head.weight", "scale"])
        #expect(file.metadata == ["format": "pt", "quote": "a \"b\"\n"])
        for (name, tensor) in tensors {
            let read = try file.tensor(named: name)
            #expect(read.shape == tensor.shape)
            #expect(read.array == tensor.array, "\(name)")
            #expect(file.entry(named: name)?.dtype == .f32)
        }
        #expect(file.shape(of: "head.weight") == [10, 7])
        #expect(file.shape(of: "absent") == nil)

        // The header is padded with spaces so that the data section starts 8-byte aligned.
        let bytes = try fileBytes(path)
        let headerLength = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(headerLength % 8 == 0)
        #expect(bytes[8] == UInt8(ascii: "{"))
        let headerText = String(decoding: bytes[8..<(8 + headerLength)], as: UTF8.self)
        #expect(headerText.trimmingCharacters(in: .whitespaces).hasSuffix("}"))
        #expect(try directory.contents() == ["model.safetensors"])
    }

    @Test func replacesAFileWholeAndKeepsItWhenWritingFails() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("weights.safetensors")
        try Safetensors.write([("a", Tensor(shape: [2], values: [1, 2]))], to: path)
        try Safetensors.write([("b", Tensor(shape: [1], values: [3]))], to: path)
        #expect(try SafetensorsFile(path: path).names == ["b"])

        let twice: [(name: String, tensor: Tensor)] = [("x", Tensor(zeros: [1])), ("x", Tensor(zeros: [2]))]
        expectFileError(path, "given twice") { try Safetensors.write(twice, to: path) }
        expectFileError(path, "cannot name a tensor") {
            try Safetensors.write([("__metadata__", Tensor(zeros: [1]))], to: path)
        }
        #expect(try SafetensorsFile(path: path).tensor(named: "b").array == [3])
        #expect(try directory.contents() == ["weights.safetensors"])

        let nowhere = directory.path("missing/folder/w.safetensors")
        expectFileError(nowhere, "cannot write") { try Safetensors.write([("a", Tensor(zeros: [1]))], to: nowhere) }
        expectFileError(directory.path, "is a directory") {
            try Safetensors.write([("a", Tensor(zeros: [1]))], to: directory.path)
        }
    }

    @Test func readsAFileWrittenByTheReferenceImplementation() throws {
        let path = RepositoryPaths.fixtures.appendingPathComponent("safetensors/reference.safetensors").path
        let file = try SafetensorsFile(path: path)
        #expect(file.names == ["position_ids", "scalar", "weight.bf16", "weight.f16", "weight.f32"])
        #expect(file.metadata == ["format": "pt", "note": "fixture"])
        #expect(try file.tensor(named: "weight.f32").array == [-1, -0.5, 0, 0.5, 1, 1.5])
        let half = try file.tensor(named: "weight.f16")
        #expect(half.array.dropLast() == [1, -2.5, 65504, 0x1p-14, 0x1p-24])
        #expect(half.array.last == 0 && half.array.last?.sign == .minus)
        let bfloat = try file.tensor(named: "weight.bf16")
        #expect(bfloat.shape == [2, 2])
        #expect(bfloat.array == [1, -2.5, 3.140625, 0x1p100])
        let scalar = try file.tensor(named: "scalar")
        #expect(scalar.shape == [] && scalar.array == [7.25])
        #expect(file.entry(named: "position_ids") == SafetensorsEntry(
            name: "position_ids", dtype: .i64, shape: [3], dataOffsets: 0..<24))
        expectFileError(path, "dtype I64") { try file.tensor(named: "position_ids") }
        expectFileError(path, "no tensor named \"nope\"") { try file.tensor(named: "nope") }
    }

    @Test func convertsEveryKindOfHalfAndBFloat16() throws {
        let halves: [(UInt16, Float)] = [
            (0x3C00, 1), (0xC100, -2.5), (0x7BFF, 65504), (0x0400, 0x1p-14), (0x03FF, 0x3FFp-24),
            (0x0001, 0x1p-24), (0x8000, -0.0), (0x7C00, .infinity), (0xFC00, -.infinity), (0x3555, 0x555p-12),
        ]
        let bfloats: [(UInt16, Float)] = [
            (0x3F80, 1), (0xC020, -2.5), (0x7F7F, 0xFFp120), (0x0001, 0x1p-133), (0xFF80, -.infinity),
        ]
        let nanHalf: UInt16 = 0x7E00
        let nanBFloat: UInt16 = 0x7FC0
        let halfWords = halves.map(\.0) + [nanHalf]
        let bfloatWords = bfloats.map(\.0) + [nanBFloat]
        let data = (halfWords + bfloatWords).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let halfBytes = halfWords.count * 2
        let header = """
            {"h":{"dtype":"F16","shape":[\(halfWords.count)],"data_offsets":[0,\(halfBytes)]},\
            "b":{"dtype":"BF16","shape":[\(bfloatWords.count)],"data_offsets":[\(halfBytes),\(data.count)]}}
            """
        let directory = try TemporaryDirectory()
        let path = try directory.write(safetensorsBytes(header: header, data: data), to: "halves.safetensors")
        let file = try SafetensorsFile(path: path)
        let readHalves = try file.tensor(named: "h").array
        let readBFloats = try file.tensor(named: "b").array
        for (index, (bits, value)) in halves.enumerated() {
            #expect(readHalves[index].bitPattern == value.bitPattern, "half \(String(bits, radix: 16))")
        }
        for (index, (bits, value)) in bfloats.enumerated() {
            #expect(readBFloats[index].bitPattern == value.bitPattern, "bfloat16 \(String(bits, radix: 16))")
        }
        #expect(readHalves.last?.isNaN == true)
        #expect(readBFloats.last?.isNaN == true)
    }

    static let invalidHeaders: [(header: String, dataSize: Int, problem: String)] = [
        ("{not json", 0, "not valid JSON"),
        ("[1, 2]", 0, "not a JSON object"),
        (#"{"a": 1, "a": 2}"#, 0, "duplicate key"),
        (String(repeating: "[", count: 5000), 0, "nested too deeply"),
        (#"{"__metadata__": "pt"}"#, 0, "__metadata__ is not a JSON object"),
        (#"{"__metadata__": {"format": 1}}"#, 0, "__metadata__ values must be strings"),
        (#"{"w": [1]}"#, 0, "tensor \"w\" is not a JSON object"),
        (#"{"w": {"shape": [1], "data_offsets": [0, 4]}}"#, 4, "has no dtype"),
        (#"{"w": {"dtype": "Q4", "shape": [1], "data_offsets": [0, 4]}}"#, 4, "unknown dtype Q4"),
        (#"{"w": {"dtype": "F32", "data_offsets": [0, 4]}}"#, 4, "no shape"),
        (#"{"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#, 4, "no shape"),
        (#"{"w": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 4]}}"#, 4, "no shape"),
        (#"{"w": {"dtype": "F32", "shape": [true], "data_offsets": [0, 4]}}"#, 4, "no shape"),
        (#"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0]}}"#, 4, "no data_offsets"),
        (#"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4, 8]}}"#, 8, "no data_offsets"),
        (#"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [8, 4]}}"#, 8, "end before they begin"),
        (#"{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}"#, 4, "ends at byte 8 of a 4-byte data section"),
        (#"{"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 20]}}"#, 24, "does not fit"),
        (#"{"w": {"dtype": "F16", "shape": [2], "data_offsets": [0, 8]}}"#, 8, "does not fit"),
        (#"{"w": {"dtype": "F32", "shape": [4611686018427387904, 4], "data_offsets": [0, 0]}}"#, 0, "does not fit"),
        (#"{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 99999999999999999999]}}"#, 4, "no data_offsets"),
        (#"{"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}, "b": {"dtype": "F32", "shape": [4], "data_offsets": [8, 24]}}"#,
         24, "tensors \"a\" and \"b\" overlap"),
    ]

    @Test(arguments: invalidHeaders)
    func refusesAnInvalidHeader(_ header: String, dataSize: Int, problem: String) throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(safetensorsBytes(header: header, dataSize: dataSize), to: "bad.safetensors")
        expectFileError(path, problem) { try SafetensorsFile(path: path) }
    }

    @Test func acceptsTouchingAndEmptyRangesAndListsUnreadableDTypes() throws {
        let header = """
            {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, \
            "b": {"dtype": "I64", "shape": [1], "data_offsets": [8, 16]}, \
            "c": {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]}}\(String(repeating: " ", count: 5))
            """
        let directory = try TemporaryDirectory()
        let path = try directory.write(safetensorsBytes(header: header, dataSize: 16), to: "ok.safetensors")
        let file = try SafetensorsFile(path: path)
        #expect(file.names == ["a", "b", "c"])
        #expect(try file.tensor(named: "c").shape == [0])
        #expect(file.metadata.isEmpty)
    }

    @Test func refusesBadFiles() throws {
        let directory = try TemporaryDirectory()
        let short = try directory.write([1, 2, 3], to: "short.safetensors")
        expectFileError(short, "shorter than the 8-byte header length") { try SafetensorsFile(path: short) }
        let empty = try directory.write([], to: "empty.safetensors")
        expectFileError(empty, "file is empty") { try SafetensorsFile(path: empty) }
        let absurd = try directory.write(withUnsafeBytes(of: UInt64(1 << 40).littleEndian, Array.init) + [0x7B, 0x7D],
                                         to: "absurd.safetensors")
        expectFileError(absurd, "over the 100 MB limit") { try SafetensorsFile(path: absurd) }
        let cut = try directory.write(withUnsafeBytes(of: UInt64(200).littleEndian, Array.init) + Array("{}".utf8),
                                      to: "cut.safetensors")
        expectFileError(cut, "runs past the end of the 10-byte file") { try SafetensorsFile(path: cut) }
        let missing = directory.path("missing.safetensors")
        expectFileError(missing, "no such file") { try SafetensorsFile(path: missing) }
        expectFileError(directory.path, "is a directory") { try SafetensorsFile(path: directory.path) }
    }
}
