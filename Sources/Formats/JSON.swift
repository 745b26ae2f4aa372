import Foundation

/// A JSON document. Integers that fit in `Int` stay exact integers, apart
/// from other numbers, so that sizes and offsets can be checked strictly.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses one JSON value surrounded by optional white space. Duplicate
    /// keys in an object are an error, as is nesting deeper than 100 levels.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        let value = try parser.value()
        parser.skipWhitespace()
        if parser.offset < bytes.count { throw parser.failure("unexpected data after the value") }
        return value
    }

    /// Compact JSON text with object keys sorted, so equal values give equal text.
    public var serialized: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .integer(let value): return String(value)
        case .number(let value): return value.isFinite ? "\(value)" : "null"
        case .string(let value): return Self.quoted(value)
        case .array(let values): return "[" + values.map(\.serialized).joined(separator: ",") + "]"
        case .object(let members):
            let pairs = members.sorted { $0.key < $1.key }.map { "\(Self.quoted($0.key)):\($0.value.serialized)" }
            return "{" + pairs.joined(separator: ",") + "}"
        }
    }

    private static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

/// Why a text is not JSON, with the byte offset where that became clear.
public struct JSONSyntaxError: Error, CustomStringConvertible, Equatable, Sendable {
    public let message: String
    public let offset: Int
    public var description: String { "\(message) at byte \(offset)" }
}

private struct JSONParser {
    let bytes: UnsafeRawBufferPointer
    var offset = 0
    var depth = 0
    static let maximumDepth = 100

    func failure(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(message: message, offset: offset)
    }

    mutating func skipWhitespace() {
        while offset < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[offset]) { offset += 1 }
    }

    private func peek() -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

    private mutating func expect(_ byte: UInt8) throws {
        guard peek() == byte else {
            throw failure(peek() == nil ? "unexpected end" : "expected '\(Character(Unicode.Scalar(byte)))'")
        }
        offset += 1
    }

    mutating func value() throws -> JSONValue {
        skipWhitespace()
        guard let first = peek() else { throw failure("unexpected end") }
        switch first {
        case UInt8(ascii: "{"): return try nested { try $0.object() }
        case UInt8(ascii: "["): return try nested { try $0.array() }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw failure("unexpected character")
        }
    }

    /// Bounds the recursion so that crafted input cannot exhaust the stack.
    private mutating func nested(_ parse: (inout JSONParser) throws -> JSONValue) throws -> JSONValue {
        guard depth < Self.maximumDepth else { throw failure("nested too deeply") }
        depth += 1
        defer { depth -= 1 }
        return try parse(&self)
    }

    private mutating func object() throws -> JSONValue {
        try expect(UInt8(ascii: "{"))
        var members: [String: JSONValue] = [:]
        try commaSeparated(until: UInt8(ascii: "}")) { parser in
            parser.skipWhitespace()
            let keyOffset = parser.offset
            let key = try parser.string()
            parser.skipWhitespace()
            try parser.expect(UInt8(ascii: ":"))
            guard members.updateValue(try parser.value(), forKey: key) == nil else {
                throw JSONSyntaxError(message: "duplicate key \"\(key)\"", offset: keyOffset)
            }
        }
        return .object(members)
    }

    private mutating func array() throws -> JSONValue {
        try expect(UInt8(ascii: "["))
        var elements: [JSONValue] = []
        try commaSeparated(until: UInt8(ascii: "]")) { parser in elements.append(try parser.value()) }
        return .array(elements)
    }

    /// Parses items with `item` up to and including the closing byte.
    private mutating func commaSeparated(until closing: UInt8, _ item: (inout JSONParser) throws -> Void) throws {
        skipWhitespace()
        if peek() == closing {
            offset += 1
            return
        }
        while true {
            try item(&self)
            skipWhitespace()
            guard peek() == UInt8(ascii: ",") else { return try expect(closing) }
            offset += 1
        }
    }

    private mutating func literal(_ word: String) throws {
        for byte in word.utf8 { try expect(byte) }
    }

    private mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        var utf8: [UInt8] = []
        while true {
            guard let byte = peek() else { throw failure("unterminated string") }
            offset += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(bytes: utf8, encoding: .utf8) else { throw failure("string is not UTF-8") }
                return text
            case UInt8(ascii: "\\"):
                utf8.append(contentsOf: try escape())
            case ..<0x20:
                throw failure("control character in string")
            default:
                utf8.append(byte)
            }
        }
    }

    /// The UTF-8 bytes of the escape sequence after a backslash.
    private mutating func escape() throws -> [UInt8] {
        guard let byte = peek() else { throw failure("unterminated string") }
        offset += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return [byte]
        case UInt8(ascii: "b"): return [0x08]
        case UInt8(ascii: "f"): return [0x0C]
        case UInt8(ascii: "n"): return [0x0A]
        case UInt8(ascii: "r"): return [0x0D]
        case UInt8(ascii: "t"): return [0x09]
        case UInt8(ascii: "u"):
            var code = try hexQuad()
            if (0xD800..<0xDC00).contains(code) {
                // A high surrogate must be followed by an escaped low one.
                try literal("\\u")
                let low = try hexQuad()
                guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired surrogate") }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { throw failure("unpaired surrogate") }
            return Array(String(Character(scalar)).utf8)
        default:
            throw failure("unknown escape")
        }
    }

    private mutating func hexQuad() throws -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek(), let digit = Character(Unicode.Scalar(byte)).hexDigitValue else {
                throw failure("bad \\u escape")
            }
            code = code << 4 | UInt32(digit)
            offset += 1
        }
        return code
    }

    private mutating func number() throws -> JSONValue {
        let start = offset
        var isInteger = true
        if peek() == UInt8(ascii: "-") { offset += 1 }
        if peek() == UInt8(ascii: "0") {
            offset += 1
        } else {
            try digits()
        }
        if peek() == UInt8(ascii: ".") {
            isInteger = false
            offset += 1
            try digits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            isInteger = false
            offset += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { offset += 1 }
            try digits()
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        if isInteger, let integer = Int(text) { return .integer(integer) }
        guard let number = Double(text) else { throw JSONSyntaxError(message: "bad number", offset: start) }
        return .number(number)
    }

    private mutating func digits() throws {
        let start = offset
        while let byte = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { offset += 1 }
        if offset == start { throw failure("expected a digit") }
    }
}

extension JSONValue {
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// Exact integers only (2.5 is not an integer; 2.0 written as 2.0 is not either).
    public var intValue: Int? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// Any number.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .number(let value): return value
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// A float as its shortest decimal text reads back, so that JSON shows
    /// 0.1 rather than the double nearest to the float 0.1.
    public static func float(_ value: Float) -> JSONValue {
        value.isFinite ? .number(Double(String(value)) ?? Double(value)) : .null
    }

    public static func floats(_ values: [Float]) -> JSONValue {
        .array(values.map(float))
    }
}

/// JSON documents on disk.
public enum JSONFile {
    /// Reads and parses a JSON file; every failure names the file.
    public static func read(_ path: String) throws -> JSONValue {
        let file = try MappedFile(path: path)
        do {
            return try JSONValue.parse(file.bytes)
        } catch let error as JSONSyntaxError {
            throw FileError(path: path, problem: "invalid JSON: \(error.description)")
        }
    }

    /// Writes `value` as JSON text (temp file + rename).
    public static func write(_ value: JSONValue, to path: String) throws {
        try AtomicFileWriter.write(to: path) { writer in try writer.append(Array((value.serialized + "\n").utf8)) }
    }
}
