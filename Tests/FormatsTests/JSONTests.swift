import Formats
import Testing

func parseJSON(_ text: String) throws -> JSONValue {
    try Array(text.utf8).withUnsafeBytes { try JSONValue.parse($0) }
}

@Suite struct JSONTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try parseJSON(#"""
             {"int": -42, "big": 123456789012345678901, "real": 1.5e2, "yes": true, "no": false,
              "nothing": null, "text": "a\"b\\c\/d\n\u00e9\ud83d\ude00", "list": [1, [2], {}], "empty": []}
            """#)
        #expect(value == .object([
            "int": .integer(-42), "big": .number(1.2345678901234568e20), "real": .number(150),
            "yes": .bool(true), "no": .bool(false), "nothing": .null,
            "text": .string("a\"b\\c/d\né😀"), "list": .array([.integer(1), .array([.integer(2)]), .object([:])]),
            "empty": .array([]),
        ]))
    }

    @Test func serialisesWithSortedKeysAndReadsItBack() throws {
        let value = JSONValue.object(["b": .array([.integer(1), .number(0.5), .null]), "a": .string("x\"\n\u{1}y")])
        #expect(value.serialized == #"{"a":"x\"\n\u0001y","b":[1,0.5,null]}"#)
        #expect(try parseJSON(value.serialized) == value)
    }

    @Test(arguments: [
        ("", "unexpected end"), ("{", "unexpected end"), ("[1,]", "unexpected character"), ("01", "unexpected data"),
        ("{\"a\":1}x", "unexpected data"), ("\"\\x\"", "unknown escape"), ("\"\\ud800\"", "expected '\\'"),
        ("\"\u{1}\"", "control character"), ("-", "expected a digit"), ("1.", "expected a digit"),
        ("tru", "unexpected end"), ("{\"a\" 1}", "expected ':'"), ("{1:2}", "expected '\"'"),
        ("{\"k\":1,\"k\":2}", "duplicate key \"k\""), (String(repeating: "[", count: 101), "nested too deeply"),
    ])
    func refusesMalformedText(_ text: String, message: String) {
        #expect {
            try parseJSON(text)
        } throws: { error in
            (error as? JSONSyntaxError)?.message.contains(message) == true
        }
    }
}
