/// One value of a parsed document: where its bytes are and where its subtree ends in the tape.
///
/// Objects are followed in the tape by their members as key/value node pairs, arrays by their elements;
/// `next` is the index of the first node after the whole subtree, so skipping a value is O(1).
struct JSONNode: Sendable {
    /// Offset of the value's first byte (the quote for a string, the brace for an object).
    var start: Int32
    /// Offset one past the value's last byte.
    var end: Int32
    /// Index of the first node after this value's subtree.
    var next: Int32
    var kind: JSONKind
    /// For strings: whether the text contains a backslash escape (so it must be unescaped, not copied).
    var hasEscapes: Bool
}

/// A strict RFC 8259 validator that records a tape of every value in one pass.
///
/// It refuses trailing commas, comments, leading zeros, invalid escapes, raw control characters and invalid
/// UTF-8 in strings, nesting deeper than `maxDepth`, and anything after the top-level
/// value but whitespace. It works on a raw pointer for speed; the caller keeps the bytes alive.
struct JSONParser {
    private let base: UnsafePointer<UInt8>
    private let count: Int
    private let maxDepth: Int
    private var position = 0
    private(set) var nodes: [JSONNode] = []

    init(base: UnsafePointer<UInt8>, count: Int, maxDepth: Int) {
        self.base = base
        self.count = count
        self.maxDepth = maxDepth
        nodes.reserveCapacity(count / 12 + 4)
    }

    /// Parses the whole document, whitespace around the single top-level value included.
    mutating func parseDocument() throws(JSONError) {
        skipWhitespace()
        guard position < count else { throw JSONError(.empty, offset: position) }
        try parseValue(depth: 0)
        skipWhitespace()
        guard position == count else { throw JSONError(.trailingData, offset: position) }
    }

    // MARK: - Values

    private mutating func parseValue(depth: Int) throws(JSONError) {
        guard position < count else { throw JSONError(.unexpectedEnd, offset: position) }
        switch base[position] {
        case UInt8(ascii: "{"):
            try parseObject(depth: depth + 1)
        case UInt8(ascii: "["):
            try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""):
            let start = position
            let hasEscapes = try scanString()
            append(.string, start: start, hasEscapes: hasEscapes)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = position
            try scanNumber()
            append(.number, start: start)
        case UInt8(ascii: "t"):
            let start = position
            try scanLiteral(0x74_72_75_65, length: 4) // "true"
            append(.boolean, start: start)
        case UInt8(ascii: "f"):
            let start = position
            position += 1
            try scanLiteral(0x61_6C_73_65, length: 4) // "alse"
            append(.boolean, start: start)
        case UInt8(ascii: "n"):
            let start = position
            try scanLiteral(0x6E_75_6C_6C, length: 4) // "null"
            append(.null, start: start)
        default:
            throw JSONError(.unexpectedByte, offset: position)
        }
    }

    @inline(__always)
    private mutating func append(_ kind: JSONKind, start: Int, hasEscapes: Bool = false) {
        let index = Int32(truncatingIfNeeded: nodes.count)
        nodes.append(
            JSONNode(
                start: Int32(truncatingIfNeeded: start),
                end: Int32(truncatingIfNeeded: position),
                next: index + 1,
                kind: kind,
                hasEscapes: hasEscapes
            )
        )
    }

    private mutating func parseObject(depth: Int) throws(JSONError) {
        guard depth <= maxDepth else { throw JSONError(.tooDeep, offset: position) }
        let index = nodes.count
        let start = position
        nodes.append(
            JSONNode(start: Int32(truncatingIfNeeded: start), end: 0, next: 0, kind: .object, hasEscapes: false)
        )
        position += 1
        skipWhitespace()
        if position < count, base[position] == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                guard position < count else { throw JSONError(.unexpectedEnd, offset: position) }
                let byte = base[position]
                guard byte == UInt8(ascii: "\"") else {
                    let afterComma = byte == UInt8(ascii: "}")
                    throw JSONError(afterComma ? .trailingComma : .unexpectedByte, offset: position)
                }
                let keyStart = position
                let hasEscapes = try scanString()
                append(.string, start: keyStart, hasEscapes: hasEscapes)
                skipWhitespace()
                guard position < count else { throw JSONError(.unexpectedEnd, offset: position) }
                guard base[position] == UInt8(ascii: ":") else { throw JSONError(.unexpectedByte, offset: position) }
                position += 1
                skipWhitespace()
                try parseValue(depth: depth)
                skipWhitespace()
                guard position < count else { throw JSONError(.unexpectedEnd, offset: position) }
                let separator = base[position]
                position += 1
                if separator == UInt8(ascii: ",") {
                    skipWhitespace()
                    continue
                }
                guard separator == UInt8(ascii: "}") else { throw JSONError(.unexpectedByte, offset: position - 1) }
                break
            }
        }
        nodes[index].end = Int32(truncatingIfNeeded: position)
        nodes[index].next = Int32(truncatingIfNeeded: nodes.count)
    }

    private mutating func parseArray(depth: Int) throws(JSONError) {
        guard depth <= maxDepth else { throw JSONError(.tooDeep, offset: position) }
        let index = nodes.count
        let start = position
        nodes.append(
            JSONNode(start: Int32(truncatingIfNeeded: start), end: 0, next: 0, kind: .array, hasEscapes: false)
        )
        position += 1
        skipWhitespace()
        if position < count, base[position] == UInt8(ascii: "]") {
            position += 1
        } else {
            var afterComma = false
            while true {
                guard position < count else { throw JSONError(.unexpectedEnd, offset: position) }
                if afterComma, base[position] == UInt8(ascii: "]") {
                    throw JSONError(.trailingComma, offset: position)
                }
                try parseValue(depth: depth)
                skipWhitespace()
                guard position < count else { throw JSONError(.unexpectedEnd, offset: position) }
                let separator = base[position]
                position += 1
                if separator == UInt8(ascii: ",") {
                    skipWhitespace()
                    afterComma = true
                    continue
                }
                guard separator == UInt8(ascii: "]") else { throw JSONError(.unexpectedByte, offset: position - 1) }
                break
            }
        }
        nodes[index].end = Int32(truncatingIfNeeded: position)
        nodes[index].next = Int32(truncatingIfNeeded: nodes.count)
    }

    // MARK: - Scalars

    @inline(__always)
    private mutating func skipWhitespace() {
        while position < count {
            switch base[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// Matches `length` ASCII bytes packed big-endian in `word` at the current position.
    private mutating func scanLiteral(_ word: UInt32, length: Int) throws(JSONError) {
        for shift in 0..<length {
            guard position < count else { throw JSONError(.unexpectedEnd, offset: position) }
            let expected = UInt8(truncatingIfNeeded: word >> UInt32(8 * (length - 1 - shift)))
            guard base[position] == expected else { throw JSONError(.unexpectedByte, offset: position) }
            position += 1
        }
    }

    private mutating func scanNumber() throws(JSONError) {
        let start = position
        if base[position] == UInt8(ascii: "-") { position += 1 }
        guard position < count else { throw JSONError(.invalidNumber, offset: start) }
        let first = base[position]
        if first == UInt8(ascii: "0") {
            position += 1
            if position < count, isDigit(base[position]) { throw JSONError(.invalidNumber, offset: start) }
        } else if isDigit(first) {
            position += 1
            while position < count, isDigit(base[position]) { position += 1 }
        } else {
            throw JSONError(.invalidNumber, offset: start)
        }
        if position < count, base[position] == UInt8(ascii: ".") {
            position += 1
            guard position < count, isDigit(base[position]) else { throw JSONError(.invalidNumber, offset: start) }
            while position < count, isDigit(base[position]) { position += 1 }
        }
        if position < count, base[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < count, base[position] == UInt8(ascii: "+") || base[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < count, isDigit(base[position]) else { throw JSONError(.invalidNumber, offset: start) }
            while position < count, isDigit(base[position]) { position += 1 }
        }
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    /// Scans a string from its opening quote to past its closing quote; returns whether it has escapes.
    private mutating func scanString() throws(JSONError) -> Bool {
        position += 1
        var hasEscapes = false
        while position < count {
            let byte = base[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return hasEscapes
            } else if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                try scanEscape()
            } else if byte < 0x20 {
                throw JSONError(.controlCharacterInString, offset: position)
            } else if byte < 0x80 {
                position += 1
            } else {
                try scanUTF8Sequence()
            }
        }
        throw JSONError(.unexpectedEnd, offset: position)
    }

    private mutating func scanEscape() throws(JSONError) {
        let start = position
        position += 1
        guard position < count else { throw JSONError(.unexpectedEnd, offset: position) }
        switch base[position] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 1
        case UInt8(ascii: "u"):
            // Any four hex digits: RFC 8259 §8.2 lets the grammar carry a lone surrogate escape, and a sender
            // that truncates a string mid-pair (JavaScript's UTF-16) must not get an approval refused for it.
            // Unescaping reads an unpaired surrogate as U+FFFD; the payload's bytes go to handlers unchanged.
            position += 1
            try scanHex4(escapeStart: start)
        default:
            throw JSONError(.invalidEscape, offset: start)
        }
    }

    private mutating func scanHex4(escapeStart: Int) throws(JSONError) {
        for _ in 0..<4 {
            guard position < count else { throw JSONError(.unexpectedEnd, offset: count) }
            guard hexValue(base[position]) != nil else { throw JSONError(.invalidEscape, offset: escapeStart) }
            position += 1
        }
    }

    /// Validates one multi-byte UTF-8 sequence (Unicode Table 3-7: no overlongs, no surrogates, ≤ U+10FFFF).
    private mutating func scanUTF8Sequence() throws(JSONError) {
        let start = position
        let lead = base[position]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            high = 0x9F
        case 0xF0:
            length = 4
            low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            high = 0x8F
        default: throw JSONError(.invalidUTF8, offset: start)
        }
        guard start + length <= count else { throw JSONError(.invalidUTF8, offset: start) }
        let second = base[start + 1]
        guard second >= low, second <= high else { throw JSONError(.invalidUTF8, offset: start) }
        var index = start + 2
        while index < start + length {
            guard base[index] & 0xC0 == 0x80 else { throw JSONError(.invalidUTF8, offset: start) }
            index += 1
        }
        position = start + length
    }
}

/// The value of one hexadecimal digit, or nil.
@inline(__always)
func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
}
