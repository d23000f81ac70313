import Testing
import WebhookCore

/// The scanner accepts exactly RFC 8259 JSON and reads fields, strings and byte ranges correctly.
@Suite struct JSONDocumentTests {
    static func parse(_ text: String, maxDepth: Int = JSONDocument.defaultMaxDepth) throws(JSONError) -> JSONDocument {
        try JSONDocument(parsing: Array(text.utf8), maxDepth: maxDepth)
    }

    static let invalidDocuments: [(String, JSONError.Code)] = [
        ("", .empty),
        ("   ", .empty),
        ("{\"a\":1,}", .trailingComma),
        ("[1,2,]", .trailingComma),
        ("{,}", .unexpectedByte),
        ("[,1]", .unexpectedByte),
        ("01", .invalidNumber),
        ("-01", .invalidNumber),
        ("[00]", .invalidNumber),
        ("1.", .invalidNumber),
        (".5", .unexpectedByte),
        ("+1", .unexpectedByte),
        ("1e", .invalidNumber),
        ("1e+", .invalidNumber),
        ("-", .invalidNumber),
        ("[-]", .invalidNumber),
        ("\"\\x\"", .invalidEscape),
        ("\"\\u12G4\"", .invalidEscape),
        ("\"\\'\"", .invalidEscape),
        ("\"abc", .unexpectedEnd),
        ("\"abc\\", .unexpectedEnd),
        ("{\"a\":\"b", .unexpectedEnd),
        ("\"a\u{01}b\"", .controlCharacterInString),
        ("\"tab\there\"", .controlCharacterInString),
        ("\"line\nbreak\"", .controlCharacterInString),
        ("\"\\u12\"", .invalidEscape),
        ("\"\\u", .unexpectedEnd),
        ("{} x", .trailingData),
        ("{}{}", .trailingData),
        ("1 2", .trailingData),
        ("nul", .unexpectedEnd),
        ("nulL", .unexpectedByte),
        ("True", .unexpectedByte),
        ("{'a':1}", .unexpectedByte),
        ("{\"a\" 1}", .unexpectedByte),
        ("{\"a\":1 \"b\":2}", .unexpectedByte),
        ("{a:1}", .unexpectedByte),
        ("// c\n{}", .unexpectedByte),
        ("{} /* c */", .trailingData),
        ("[1]]", .trailingData),
        ("[1", .unexpectedEnd),
        ("{\"a\":", .unexpectedEnd),
        ("\u{FEFF}{}", .unexpectedByte),
        ("NaN", .unexpectedByte),
        ("[Infinity]", .unexpectedByte),
        (String(repeating: "[", count: 65) + String(repeating: "]", count: 65), .tooDeep),
        (String(repeating: "{\"a\":", count: 65) + "1" + String(repeating: "}", count: 65), .tooDeep),
        (String(repeating: "[", count: 100_000), .tooDeep),
    ]

    @Test("refuses invalid JSON", arguments: invalidDocuments)
    func refusesInvalidDocument(text: String, code: JSONError.Code) {
        #expect(throws: JSONError.self) { try Self.parse(text) }
        do {
            _ = try Self.parse(text)
        } catch {
            #expect(error.code == code)
        }
    }

    static let invalidUTF8: [[UInt8]] = [
        [0x22, 0xC0, 0x80, 0x22], // overlong NUL
        [0x22, 0xC1, 0xBF, 0x22], // overlong
        [0x22, 0xE0, 0x80, 0x80, 0x22], // overlong 3-byte
        [0x22, 0xED, 0xA0, 0x80, 0x22], // UTF-8-encoded surrogate
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], // above U+10FFFF
        [0x22, 0xF5, 0x80, 0x80, 0x80, 0x22],
        [0x22, 0x80, 0x22], // lone continuation
        [0x22, 0xC3, 0x22], // truncated
        [0x22, 0xE2, 0x82, 0x22],
        [0x22, 0xFF, 0x22],
    ]

    @Test("refuses invalid UTF-8 in strings", arguments: invalidUTF8)
    func refusesInvalidUTF8(bytes: [UInt8]) {
        #expect(throws: JSONError.self) { try JSONDocument(parsing: bytes) }
    }

    static let validDocuments: [String] = [
        "{}", "[]", " {} ", "\n\t\r {}\n", "0", "-0", "1", "-1.5e10", "0.0", "1E-2", "1e+2",
        "123456789012345678901234567890",
        "\"\"", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\u0000\\uFFFF\\uD83D\\uDE00\"", "true", "false", "null",
        "{\"a\":[1,{\"b\":null}],\"c\":\"d\"}", "[[[[]]]]", "\"é 😀 中\"", "{\"\":1}",
        String(repeating: "[", count: 64) + String(repeating: "]", count: 64),
    ]

    @Test("accepts valid JSON", arguments: validDocuments)
    func acceptsValidDocument(text: String) throws {
        let document = try Self.parse(text)
        let bytes = Array(text.utf8)
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }
        let start = bytes.firstIndex { !isSpace($0) } ?? 0
        let end = (bytes.lastIndex { !isSpace($0) } ?? -1) + 1
        #expect(document.byteRange(of: document.root) == start..<end)
    }

    @Test func depthLimitIsConfigurable() throws {
        #expect(throws: JSONError.self) { try Self.parse("[[[]]]", maxDepth: 2) }
        _ = try Self.parse("[[]]", maxDepth: 2)
    }

    static let unescapeCases: [(String, String)] = [
        ("\"plain\"", "plain"),
        ("\"a\\\"b\"", "a\"b"),
        ("\"back\\\\slash\"", "back\\slash"),
        ("\"\\/\"", "/"),
        ("\"\\b\\f\\n\\r\\t\"", "\u{08}\u{0C}\n\r\t"),
        ("\"\\u0041\\u00e9\"", "Aé"),
        ("\"\\u4E2D\"", "中"),
        ("\"\\uD83D\\uDE00\"", "😀"),
        ("\"\\ud83d\\ude00 x\"", "😀 x"),
        ("\"\\u0000\"", "\u{0}"),
        ("\"é😀\"", "é😀"),
        // Unpaired surrogate escapes are accepted (RFC 8259 §8.2) and read as U+FFFD.
        ("\"\\ud800\"", "\u{FFFD}"),
        ("\"\\udc00x\"", "\u{FFFD}x"),
        ("\"\\ud83d\\u0041\"", "\u{FFFD}A"),
        ("\"\\ude00\\ud83d\"", "\u{FFFD}\u{FFFD}"),
        ("\"\\ud83d\\ud83d\\ude00\"", "\u{FFFD}😀"),
        ("\"\\ud83d\"", "\u{FFFD}"),
    ]

    @Test("unescapes strings", arguments: unescapeCases)
    func unescapesString(json: String, expected: String) throws {
        let document = try Self.parse(json)
        #expect(document.string(document.root) == expected)
    }

    @Test func readsMembersByPathAndKeepsExactBytes() throws {
        let text = #"{ "a" : { "b" : { "c" : "deep" } , "n" : -1.50 }, "list": [ 1, "two", {"x": true} ] }"#
        let document = try Self.parse(text)
        let c = try #require(try document.value(at: "a", "b", "c", from: document.root))
        #expect(document.string(c) == "deep")
        let b = try #require(try document.value(at: "a", "b", from: document.root))
        #expect(String(decoding: document.rawBytes(of: b), as: UTF8.self) == #"{ "c" : "deep" }"#)
        let n = try #require(try document.value(at: "a", "n", from: document.root))
        #expect(document.numberText(n) == "-1.50")
        #expect(try document.value(at: "a", "missing", from: document.root) == nil)
        #expect(try document.value(at: "a", "n", "x", from: document.root) == nil)
        let list = try #require(try document.member("list", of: document.root))
        let elements = document.elements(of: list)
        #expect(elements.count == 3)
        #expect(document.string(elements[1]) == "two")
        #expect(document.kind(of: elements[2]) == .object)
        #expect(try document.member("x", of: elements[2]).flatMap(document.bool) == true)
        #expect(document.members(of: document.root).map(\.name) == ["a", "list"])
        #expect(try document.member(named: "list", of: document.root) == list)
    }

    @Test func matchesEscapedMemberNames() throws {
        let document = try Self.parse(#"{"ev\u0065nt":"x"}"#)
        #expect(try document.member("event", of: document.root).flatMap(document.string) == "x")
    }

    @Test func refusesADuplicateOfAMemberItReads() throws {
        let document = try Self.parse(#"{"event":"a","event":"b","other":1}"#)
        #expect(throws: JSONError.self) { try document.member("event", of: document.root) }
        #expect(try document.member("other", of: document.root) != nil)
    }

    @Test func errorDescriptionNamesRuleAndOffsetOnly() {
        do {
            _ = try Self.parse(#"{"secret":"SECRET-VALUE-123",}"#)
            Issue.record("expected a failure")
        } catch {
            #expect(error.description == "invalid JSON: trailing comma at byte 29")
            #expect(!error.description.contains("SECRET"))
        }
    }

    // MARK: Numbers, duplicates and positions (what the configuration reader needs)

    static let integerCases: [(String, Int?)] = [
        ("8080", 8080),
        ("-1", -1),
        ("-0", 0),
        ("0.0", 0),
        ("8080.0", 8080),
        ("8.08e3", 8080),
        ("1.50e1", 15),
        ("1E2", 100),
        ("100e-2", 1),
        ("80.5", nil),
        ("1e-1", nil),
        ("1e30", nil),
        ("1e100000000000", nil),
        ("9223372036854775807", Int.max),
        ("9223372036854775808", nil),
        ("-9223372036854775808", Int.min),
        ("-9223372036854775809", nil),
        // A Double would round this to 2^53 and call it whole; the exact reading keeps the digits.
        ("9007199254740993", 9_007_199_254_740_993),
        ("9007199254740992.5", nil),
    ]

    @Test("reads whole numbers exactly", arguments: integerCases)
    func readsWholeNumbersExactly(text: String, expected: Int?) throws {
        let document = try Self.parse(text)
        #expect(document.integer(document.root) == expected)
        #expect(document.double(document.root) == Double(text))
    }

    @Test func numbersAreNotReadFromOtherKinds() throws {
        let document = try Self.parse(#"["1", true, null]"#)
        for element in document.elements(of: document.root) {
            #expect(document.integer(element) == nil)
            #expect(document.double(element) == nil)
        }
    }

    @Test func findsEveryDuplicateMemberWithItsPath() throws {
        let text = #"""
            {"a": 1, "list": [{"x": 1, "x": 2, "y": {"z": 1, "z": 2}}, {"x": 3}], "a": 2, "a": 3, "odd key": 1, "odd key": 2}
            """#
        let document = try Self.parse(text)
        #expect(
            document.duplicateMembers().map(\.description) == [
                "$.list[0].x", "$.list[0].y.z", "$.a", "$.a", #"$["odd key"]"#,
            ]
        )
        #expect(try Self.parse(#"{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]}"#).duplicateMembers().isEmpty)
    }

    @Test func errorsGiveTheLineAndColumnOfTheirOffset() {
        let text = "{\n  \"é\": 1,\n  \"b\": tru\n}"
        do {
            _ = try Self.parse(text)
            Issue.record("expected a failure")
        } catch {
            let bytes = Array(text.utf8)
            #expect(bytes[error.offset] == UInt8(ascii: "\n"))
            // Line 3 is `  "b": tru`; the literal breaks after its 10 characters.
            #expect(error.lineAndColumn(in: bytes) == (line: 3, column: 11))
        }
        #expect(JSONError(.unexpectedByte, offset: 0).lineAndColumn(in: []) == (line: 1, column: 1))
        // A multi-byte character counts as one column.
        let accented = Array("\"é\" x".utf8)
        #expect(JSONError(.trailingData, offset: 5).lineAndColumn(in: accented) == (line: 1, column: 5))
    }
}
