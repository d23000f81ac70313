/// The kind of a JSON value.
public enum JSONKind: UInt8, Sendable, Equatable {
    case object
    case array
    case string
    case number
    case boolean
    case null
}

/// A handle to one value inside a ``JSONDocument`` (valid only with the document it came from).
public struct JSONValue: Sendable, Hashable {
    let index: Int
}

/// A strictly validated JSON document (RFC 8259) that readers pull a few fields from without building a tree.
///
/// Parsing validates the whole document in one pass and records a compact tape of values; lookups then walk
/// the tape: `member` skips whole subtrees in O(1), `string` unescapes only the strings asked for, and
/// `byteRange(of:)` gives the exact bytes of any value (how `payload` is kept unchanged).
///
/// ```swift
/// let document = try JSONDocument(parsing: body)
/// let event = try document.member("event", of: document.root).flatMap(document.string)
/// ```
public struct JSONDocument: Sendable {
    /// The nesting limit applied when none is given.
    public static let defaultMaxDepth = 64

    /// The document's bytes, as given.
    public let bytes: [UInt8]
    let nodes: [JSONNode]

    // MARK: Initialization

    /// Validates `bytes` as one JSON document.
    ///
    /// - Parameters:
    ///   - bytes: The whole document.
    ///   - maxDepth: The deepest nesting of objects and arrays accepted.
    /// - Throws: ``JSONError`` naming the broken rule and its byte offset.
    public init(parsing bytes: [UInt8], maxDepth: Int = JSONDocument.defaultMaxDepth) throws(JSONError) {
        guard !bytes.isEmpty else { throw JSONError(.empty, offset: 0) }
        guard bytes.count < Int(Int32.max) else { throw JSONError(.unexpectedByte, offset: Int(Int32.max)) }
        let result: Result<[JSONNode], JSONError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(base: buffer.baseAddress!, count: buffer.count, maxDepth: maxDepth)
            do throws(JSONError) {
                try parser.parseDocument()
                return .success(parser.nodes)
            } catch {
                return .failure(error)
            }
        }
        self.bytes = bytes
        self.nodes = try result.get()
    }

    // MARK: - Reading

    /// The top-level value.
    public var root: JSONValue { JSONValue(index: 0) }

    /// Whether the value is an object, array, string, number, boolean or null.
    public func kind(of value: JSONValue) -> JSONKind {
        nodes[value.index].kind
    }

    /// The offsets of the value's bytes in ``bytes`` (a string's range includes its quotes).
    public func byteRange(of value: JSONValue) -> Range<Int> {
        let node = nodes[value.index]
        return Int(node.start)..<Int(node.end)
    }

    /// The value's exact bytes.
    public func rawBytes(of value: JSONValue) -> ArraySlice<UInt8> {
        bytes[byteRange(of: value)]
    }

    /// The member `name` of `object`, or nil when `object` is not an object or has no such member.
    ///
    /// - Throws: ``JSONError`` `duplicateMember` when the name appears twice (never guess which one counts).
    public func member(_ name: StaticString, of object: JSONValue) throws(JSONError) -> JSONValue? {
        let buffer = UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        return try member(matching: buffer, of: object, name: { name.description })
    }

    /// The member `name` of `object`, or nil when `object` is not an object or has no such member.
    ///
    /// - Throws: ``JSONError`` `duplicateMember` when the name appears twice.
    public func member(named name: String, of object: JSONValue) throws(JSONError) -> JSONValue? {
        var utf8 = name
        let result: Result<JSONValue?, JSONError> = utf8.withUTF8 { buffer in
            do throws(JSONError) {
                return .success(try member(matching: UnsafeRawBufferPointer(buffer), of: object, name: { name }))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The value at a path of object members from `start`, or nil when any step is missing or not an object.
    public func value(at path: StaticString..., from start: JSONValue) throws(JSONError) -> JSONValue? {
        var current = start
        for name in path {
            guard let next = try member(name, of: current) else { return nil }
            current = next
        }
        return current
    }

    /// The unescaped text of a string value, or nil when the value is not a string.
    ///
    /// An escaped surrogate without its pair (allowed by RFC 8259's grammar) reads as U+FFFD.
    public func string(_ value: JSONValue) -> String? {
        let node = nodes[value.index]
        guard node.kind == .string else { return nil }
        let start = Int(node.start) + 1
        let end = Int(node.end) - 1
        if !node.hasEscapes {
            return bytes.withUnsafeBufferPointer { buffer in
                String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)
            }
        }
        return String(decoding: unescapedBytes(start: start, end: end), as: UTF8.self)
    }

    /// The text of a number value exactly as written, or nil when the value is not a number.
    public func numberText(_ value: JSONValue) -> String? {
        let node = nodes[value.index]
        guard node.kind == .number else { return nil }
        return String(decoding: bytes[Int(node.start)..<Int(node.end)], as: UTF8.self)
    }

    /// The exact value of a number that is a whole number within `Int`'s range, or nil.
    ///
    /// Exact on the text, with no detour through `Double`: `8080`, `8080.0` and `8.08e3` are 8080, while
    /// `80.5`, `1e30` and `9223372036854775808` are nil (a fraction, or out of range). Nil too when the value
    /// is not a number.
    public func integer(_ value: JSONValue) -> Int? {
        let node = nodes[value.index]
        guard node.kind == .number else { return nil }
        // The grammar was validated while parsing: -?digits(.digits)?([eE][+-]?digits)?
        var index = Int(node.start)
        let end = Int(node.end)
        let isNegative = bytes[index] == UInt8(ascii: "-")
        if isNegative { index += 1 }
        var digits: [UInt8] = []
        var fractionCount = 0
        var isInFraction = false
        while index < end, bytes[index] | 0x20 != UInt8(ascii: "e") {
            if bytes[index] == UInt8(ascii: ".") {
                isInFraction = true
            } else {
                digits.append(bytes[index] - UInt8(ascii: "0"))
                if isInFraction { fractionCount += 1 }
            }
            index += 1
        }
        var exponent = 0
        if index < end {
            index += 1
            let isExponentNegative = bytes[index] == UInt8(ascii: "-")
            if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") { index += 1 }
            while index < end {
                // Any exponent beyond a few hundred makes the value zero, a fraction or out of range alike.
                exponent = min(exponent * 10 + Int(bytes[index] - UInt8(ascii: "0")), 100_000)
                index += 1
            }
            if isExponentNegative { exponent = -exponent }
        }
        // value = digits × 10^(exponent - fractionCount); drop zeros that do not change it.
        while let first = digits.first, first == 0 { digits.removeFirst() }
        if digits.isEmpty { return 0 }
        var scale = exponent - fractionCount
        while scale < 0, let last = digits.last, last == 0 {
            digits.removeLast()
            scale += 1
        }
        guard scale >= 0 else { return nil } // a fraction
        var magnitude: UInt = 0
        for digit in digits + repeatElement(0, count: min(scale, 20)) {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt(digit))
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
        }
        if isNegative {
            guard magnitude <= UInt(Int.max) + 1 else { return nil }
            return magnitude == UInt(Int.max) + 1 ? Int.min : -Int(magnitude)
        }
        return magnitude <= UInt(Int.max) ? Int(magnitude) : nil
    }

    /// The value of a number as the nearest `Double`, or nil when the value is not a number.
    public func double(_ value: JSONValue) -> Double? {
        numberText(value).flatMap { Double($0) }
    }

    /// Whether a boolean value is `true` (nil when the value is not a boolean).
    public func bool(_ value: JSONValue) -> Bool? {
        let node = nodes[value.index]
        guard node.kind == .boolean else { return nil }
        return bytes[Int(node.start)] == UInt8(ascii: "t")
    }

    /// The elements of an array, in order (empty when the value is not an array).
    public func elements(of array: JSONValue) -> [JSONValue] {
        let node = nodes[array.index]
        guard node.kind == .array else { return [] }
        var result: [JSONValue] = []
        var index = array.index + 1
        while index < Int(node.next) {
            result.append(JSONValue(index: index))
            index = Int(nodes[index].next)
        }
        return result
    }

    /// The members of an object, in document order, names unescaped (empty when the value is not an object).
    public func members(of object: JSONValue) -> [(name: String, value: JSONValue)] {
        let node = nodes[object.index]
        guard node.kind == .object else { return [] }
        var result: [(name: String, value: JSONValue)] = []
        var index = object.index + 1
        while index < Int(node.next) {
            let name = string(JSONValue(index: index)) ?? ""
            result.append((name, JSONValue(index: index + 1)))
            index = Int(nodes[index + 1].next)
        }
        return result
    }

    /// Every member whose name already appeared earlier in the same object, in document order, anywhere in
    /// the document.
    ///
    /// Readers that look members up with ``member(_:of:)`` are told of a repeated name when they ask for it;
    /// a reader that must refuse any ambiguity up front (the configuration) asks for all of them here. Names
    /// are compared after unescaping, so `"name"` and `"n\u0061me"` are the same member.
    ///
    /// - Returns: the paths of the second and later occurrences.
    public func duplicateMembers() -> [JSONPath] {
        var duplicates: [JSONPath] = []
        // Pre-order with an explicit stack (the depth is bounded by the parse, but need not be small), so the
        // paths come out in the order their keys appear in the text.
        var pending: [(value: JSONValue, path: JSONPath, isDuplicate: Bool)] = [(root, .root, false)]
        while let (value, path, isDuplicate) = pending.popLast() {
            if isDuplicate { duplicates.append(path) }
            var children: [(value: JSONValue, path: JSONPath, isDuplicate: Bool)] = []
            switch kind(of: value) {
            case .object:
                var seen: Set<String> = []
                for (name, member) in members(of: value) {
                    children.append((member, path.appending(name), !seen.insert(name).inserted))
                }
            case .array:
                for (index, element) in elements(of: value).enumerated() {
                    children.append((element, path.appending(index: index), false))
                }
            default:
                break
            }
            pending.append(contentsOf: children.reversed())
        }
        return duplicates
    }

    // MARK: - Internals

    private func member(
        matching name: UnsafeRawBufferPointer,
        of object: JSONValue,
        name describe: () -> String
    ) throws(JSONError) -> JSONValue? {
        let node = nodes[object.index]
        guard node.kind == .object else { return nil }
        var found: JSONValue?
        var index = object.index + 1
        let end = Int(node.next)
        while index < end {
            if keyEquals(nodes[index], name) {
                guard found == nil else {
                    throw JSONError(.duplicateMember, offset: Int(node.start), member: describe())
                }
                found = JSONValue(index: index + 1)
            }
            index = Int(nodes[index + 1].next)
        }
        return found
    }

    private func keyEquals(_ key: JSONNode, _ name: UnsafeRawBufferPointer) -> Bool {
        let start = Int(key.start) + 1
        let end = Int(key.end) - 1
        if key.hasEscapes {
            let text = unescapedBytes(start: start, end: end)
            return text.elementsEqual(name)
        }
        guard end - start == name.count else { return false }
        return bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < name.count {
                if buffer[start + offset] != name[offset] { return false }
                offset += 1
            }
            return true
        }
    }

    /// Unescapes the validated string text between `start` and `end` (quotes excluded) into UTF-8.
    private func unescapedBytes(start: Int, end: Int) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(end - start)
        var index = start
        while index < end {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            let escaped = bytes[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = UInt32(hex4(at: index))
                index += 4
                if scalar >= 0xD800, scalar <= 0xDBFF, index + 6 <= end, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u")
                {
                    let low = UInt32(hex4(at: index + 2))
                    if low >= 0xDC00, low <= 0xDFFF {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        index += 6
                    }
                }
                if scalar >= 0xD800, scalar <= 0xDFFF { scalar = 0xFFFD } // an unpaired surrogate
                appendUTF8(scalar, to: &output)
            default: output.append(escaped) // \" \\ \/
            }
        }
        return output
    }

    private func hex4(at index: Int) -> UInt16 {
        var value: UInt16 = 0
        for offset in 0..<4 {
            value = value << 4 | UInt16(hexValue(bytes[index + offset]) ?? 0)
        }
        return value
    }
}

/// Appends the UTF-8 encoding of a Unicode scalar value.
func appendUTF8(_ scalar: UInt32, to output: inout [UInt8]) {
    switch scalar {
    case 0..<0x80:
        output.append(UInt8(scalar))
    case 0x80..<0x800:
        output.append(UInt8(0xC0 | scalar >> 6))
        output.append(UInt8(0x80 | scalar & 0x3F))
    case 0x800..<0x10000:
        output.append(UInt8(0xE0 | scalar >> 12))
        output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
        output.append(UInt8(0x80 | scalar & 0x3F))
    default:
        output.append(UInt8(0xF0 | scalar >> 18))
        output.append(UInt8(0x80 | scalar >> 12 & 0x3F))
        output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
        output.append(UInt8(0x80 | scalar & 0x3F))
    }
}
