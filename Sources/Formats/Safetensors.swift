import Foundation
import Kernels

/// The element types the safetensors format defines. Every one is accepted
/// in a header (so a file mixing, say, I64 position ids with F32 weights
/// opens), but only F32, F16 and BF16 load as a float tensor.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case bool = "BOOL", u8 = "U8", i8 = "I8", f8E5M2 = "F8_E5M2", f8E4M3 = "F8_E4M3"
    case i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
    case i32 = "I32", u32 = "U32", f32 = "F32"
    case i64 = "I64", u64 = "U64", f64 = "F64"

    public var byteSize: Int {
        switch self {
        case .bool, .u8, .i8, .f8E5M2, .f8E4M3: return 1
        case .i16, .u16, .f16, .bf16: return 2
        case .i32, .u32, .f32: return 4
        case .i64, .u64, .f64: return 8
        }
    }
}

/// One tensor's header entry.
public struct SafetensorsEntry: Equatable, Sendable {
    public let name: String
    public let dtype: SafetensorsDType
    public let shape: [Int]
    /// Byte range inside the data section that follows the header.
    public let dataOffsets: Range<Int>

    public init(name: String, dtype: SafetensorsDType, shape: [Int], dataOffsets: Range<Int>) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.dataOffsets = dataOffsets
    }
}

/// A safetensors file, memory-mapped read-only and validated in full when
/// opened: afterwards every tensor named in the header can be read.
///
/// Layout: an unsigned 64-bit little-endian header length, a JSON header
/// mapping tensor names to dtype, shape and data offsets (plus an optional
/// `__metadata__` string map), then the data section.
public final class SafetensorsFile: @unchecked Sendable {
    /// Real headers are kilobytes; a larger length means a corrupt or hostile file.
    public static let maximumHeaderLength = 100_000_000

    public let path: String
    public let metadata: [String: String]
    /// Tensor names, sorted.
    public let names: [String]
    private let entries: [String: SafetensorsEntry]
    private let file: MappedFile
    private let dataStart: Int

    public init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path)
        let header = try SafetensorsHeader(file.bytes, path: path)
        metadata = header.metadata
        entries = header.entries
        names = header.entries.keys.sorted()
        dataStart = header.dataStart
    }

    public func entry(named name: String) -> SafetensorsEntry? { entries[name] }

    public func shape(of name: String) -> [Int]? { entries[name]?.shape }

    /// The tensor converted to float32.
    public func tensor(named name: String) throws -> Tensor {
        guard let entry = entries[name] else {
            throw FileError(path: path, problem: "no tensor named \"\(name)\"")
        }
        let source = UnsafeRawBufferPointer(rebasing: file.bytes[
            (dataStart + entry.dataOffsets.lowerBound)..<(dataStart + entry.dataOffsets.upperBound)])
        switch entry.dtype {
        case .f32: return floats(source, shape: entry.shape) { (word: UInt32) in Float(bitPattern: word) }
        case .f16: return floats(source, shape: entry.shape, floatFromHalf)
        case .bf16: return floats(source, shape: entry.shape) { (word: UInt16) in Float(bitPattern: UInt32(word) << 16) }
        default:
            throw FileError(path: path, problem:
                "tensor \"\(name)\" has dtype \(entry.dtype.rawValue); only F32, F16 and BF16 load as float")
        }
    }
}

/// A tensor of little-endian words, which need not be aligned, read through `toFloat`.
private func floats<Word: FixedWidthInteger>(_ source: UnsafeRawBufferPointer, shape: [Int],
                                             _ toFloat: (Word) -> Float) -> Tensor {
    let tensor = Tensor(uninitialized: shape)
    let stride = MemoryLayout<Word>.size
    for index in 0..<tensor.count {
        tensor.pointer[index] = toFloat(Word(littleEndian: source.loadUnaligned(fromByteOffset: index * stride, as: Word.self)))
    }
    return tensor
}

/// IEEE 754 binary16 to binary32, exactly (every half value is a float value).
private func floatFromHalf(_ bits: UInt16) -> Float {
    let sign: Float = bits & 0x8000 == 0 ? 1 : -1
    let exponent = Int(bits >> 10) & 0x1F
    let fraction = UInt32(bits & 0x3FF)
    switch exponent {
    case 0:
        return sign * Float(fraction) * 0x1p-24
    case 0x1F:
        return Float(bitPattern: UInt32(bits & 0x8000) << 16 | 0x7F80_0000 | fraction << 13)
    default:
        return Float(bitPattern: UInt32(bits & 0x8000) << 16 | UInt32(exponent + 112) << 23 | fraction << 13)
    }
}

/// The validated header of a safetensors file.
private struct SafetensorsHeader {
    let metadata: [String: String]
    let entries: [String: SafetensorsEntry]
    /// Offset of the data section in the file.
    let dataStart: Int
    private let path: String

    init(_ bytes: UnsafeRawBufferPointer, path: String) throws {
        self.path = path
        guard bytes.count >= 8 else {
            throw FileError.truncated(path, format: "safetensors",
                                      "\(bytes.count) bytes, shorter than the 8-byte header length")
        }
        let headerLength = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard headerLength <= SafetensorsFile.maximumHeaderLength else {
            throw FileError.corrupt(path, format: "safetensors", "header length \(headerLength) is over the 100 MB limit")
        }
        guard headerLength <= bytes.count - 8 else {
            throw FileError.truncated(path, format: "safetensors",
                                      "header length \(headerLength) runs past the end of the \(bytes.count)-byte file")
        }
        dataStart = 8 + Int(headerLength)
        let json: JSONValue
        do {
            json = try JSONValue.parse(UnsafeRawBufferPointer(rebasing: bytes[8..<dataStart]))
        } catch {
            throw FileError.corrupt(path, format: "safetensors", "header is not valid JSON: \(error)")
        }
        guard case .object(let members) = json else {
            throw FileError.corrupt(path, format: "safetensors", "header is not a JSON object")
        }
        var metadata: [String: String] = [:]
        var entries: [String: SafetensorsEntry] = [:]
        for (name, value) in members {
            if name == "__metadata__" {
                metadata = try Self.metadata(value, path: path)
            } else {
                entries[name] = try Self.entry(name, value, dataSize: bytes.count - dataStart, path: path)
            }
        }
        try Self.checkNoOverlap(entries.values, path: path)
        self.metadata = metadata
        self.entries = entries
    }

    private static func metadata(_ value: JSONValue, path: String) throws -> [String: String] {
        guard case .object(let members) = value else {
            throw FileError.corrupt(path, format: "safetensors", "__metadata__ is not a JSON object")
        }
        return try members.mapValues { member in
            guard case .string(let text) = member else {
                throw FileError.corrupt(path, format: "safetensors", "__metadata__ values must be strings")
            }
            return text
        }
    }

    private static func entry(_ name: String, _ value: JSONValue, dataSize: Int, path: String) throws -> SafetensorsEntry {
        func corrupt(_ detail: String) -> FileError {
            FileError.corrupt(path, format: "safetensors", "tensor \"\(name)\" \(detail)")
        }
        guard case .object(let fields) = value else { throw corrupt("is not a JSON object") }
        guard case .string(let dtypeName)? = fields["dtype"] else { throw corrupt("has no dtype") }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else { throw corrupt("has unknown dtype \(dtypeName)") }
        guard let shape = nonNegativeIntegers(fields["shape"]) else {
            throw corrupt("has no shape of non-negative integers")
        }
        guard let offsets = nonNegativeIntegers(fields["data_offsets"]), offsets.count == 2 else {
            throw corrupt("has no data_offsets of two non-negative integers")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin <= end else { throw corrupt("has data_offsets [\(begin), \(end)] that end before they begin") }
        guard end <= dataSize else {
            throw FileError.truncated(path, format: "safetensors",
                                      "tensor \"\(name)\" ends at byte \(end) of a \(dataSize)-byte data section")
        }
        guard checkedProduct(shape + [dtype.byteSize]) == end - begin else {
            throw corrupt("has shape \(shape) of \(dtypeName), which does not fit its \(end - begin) bytes")
        }
        return SafetensorsEntry(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end)
    }

    private static func nonNegativeIntegers(_ value: JSONValue?) -> [Int]? {
        guard case .array(let elements)? = value else { return nil }
        var integers: [Int] = []
        for element in elements {
            guard case .integer(let integer) = element, integer >= 0 else { return nil }
            integers.append(integer)
        }
        return integers
    }

    private static func checkNoOverlap(_ entries: some Sequence<SafetensorsEntry>, path: String) throws {
        let ordered = entries.filter { !$0.dataOffsets.isEmpty }
            .sorted { ($0.dataOffsets.lowerBound, $0.name) < ($1.dataOffsets.lowerBound, $1.name) }
        for (previous, next) in zip(ordered, ordered.dropFirst())
        where next.dataOffsets.lowerBound < previous.dataOffsets.upperBound {
            throw FileError.corrupt(path, format: "safetensors",
                                    "tensors \"\(previous.name)\" and \"\(next.name)\" overlap in the data section")
        }
    }
}

public enum Safetensors {
    /// Writes the tensors as F32 under their names, in name order, with the
    /// header padded with spaces to a multiple of 8 bytes so that the data
    /// section stays aligned. Replaces `path` only once the whole file is written.
    public static func write(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:],
                             to path: String) throws {
        let ordered = tensors.sorted { $0.name < $1.name }
        var header: [String: JSONValue] = [:]
        if !metadata.isEmpty { header["__metadata__"] = .object(metadata.mapValues(JSONValue.string)) }
        var offset = 0
        for (name, tensor) in ordered {
            guard name != "__metadata__" else {
                throw FileError(path: path, problem: "\"__metadata__\" cannot name a tensor")
            }
            guard header[name] == nil else {
                throw FileError(path: path, problem: "tensor name \"\(name)\" given twice")
            }
            let byteCount = tensor.count * MemoryLayout<Float>.size
            header[name] = .object([
                "dtype": .string(SafetensorsDType.f32.rawValue),
                "shape": .array(tensor.shape.map(JSONValue.integer)),
                "data_offsets": .array([.integer(offset), .integer(offset + byteCount)]),
            ])
            offset += byteCount
        }
        var headerBytes = Array(JSONValue.object(header).serialized.utf8)
        headerBytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8))
        try AtomicFileWriter.write(to: path) { file in
            try withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { try file.append($0) }
            try file.append(headerBytes)
            for (_, tensor) in ordered { try appendLittleEndian(tensor, to: file) }
        }
    }

    private static func appendLittleEndian(_ tensor: Tensor, to file: AtomicFileWriter) throws {
        let chunkLength = 1 << 16
        var chunk = [UInt32](repeating: 0, count: chunkLength)
        for start in stride(from: 0, to: tensor.count, by: chunkLength) {
            let length = min(chunkLength, tensor.count - start)
            for index in 0..<length { chunk[index] = tensor.pointer[start + index].bitPattern.littleEndian }
            try chunk.withUnsafeBytes { try file.append(UnsafeRawBufferPointer(rebasing: $0[0..<(length * 4)])) }
        }
    }
}
