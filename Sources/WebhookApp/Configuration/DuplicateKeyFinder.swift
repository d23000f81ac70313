import WebhookCore

/// Finds keys that appear twice in one JSON object, which `JSONSerialization` silently collapses to one.
///
/// A configuration with `"routes"` twice, or `"requireSignature"` twice in one route, is ambiguous: which
/// one wins is an accident of the parser. The loader refuses it instead. This runs only on text that
/// `JSONSerialization` already accepted, and stops quietly on anything it does not understand.
struct DuplicateKeyFinder {
    /// Deeper documents are not scanned beyond this (a configuration is a few levels deep).
    private static let maximumDepth = 64

    private let bytes: [UInt8]
    private var index = 0
    private var isStopped = false
    private(set) var duplicates: [JSONPath] = []

    /// The paths of the second and later occurrences of every repeated key, in document order.
    static func duplicates(in bytes: [UInt8]) -> [JSONPath] {
        var finder = DuplicateKeyFinder(bytes: bytes)
        finder.value(at: .root, depth: 0)
        return finder.duplicates
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func value(at path: JSONPath, depth: Int) {
        skipWhitespace()
        guard !isStopped, index < bytes.count, depth < Self.maximumDepth else { return stop() }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            object(at: path, depth: depth)
        case UInt8(ascii: "["):
            index += 1
            array(at: path, depth: depth)
        case UInt8(ascii: "\""):
            if string() == nil { stop() }
        default:
            // A number, true, false or null: skip to the next delimiter.
            while index < bytes.count, !Self.isDelimiter(bytes[index]) { index += 1 }
        }
    }

    private mutating func object(at path: JSONPath, depth: Int) {
        var seen: Set<String> = []
        while !isStopped {
            skipWhitespace()
            guard index < bytes.count else { return stop() }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return
            }
            guard bytes[index] == UInt8(ascii: "\""), let key = string() else { return stop() }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return stop() }
            index += 1
            let keyPath = path.appending(key)
            if !seen.insert(key).inserted { duplicates.append(keyPath) }
            value(at: keyPath, depth: depth + 1)
            guard separator(closing: UInt8(ascii: "}")) else { return }
        }
    }

    private mutating func array(at path: JSONPath, depth: Int) {
        var position = 0
        while !isStopped {
            skipWhitespace()
            guard index < bytes.count else { return stop() }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return
            }
            value(at: path.appending(index: position), depth: depth + 1)
            position += 1
            guard separator(closing: UInt8(ascii: "]")) else { return }
        }
    }

    /// After a member or element: true on `,` (another may follow), false after the closing bracket.
    private mutating func separator(closing: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count else {
            stop()
            return false
        }
        if bytes[index] == UInt8(ascii: ",") {
            index += 1
            return true
        }
        if bytes[index] == closing {
            index += 1
        } else {
            stop()
        }
        return false
    }

    /// Reads a string starting at its opening quote and returns it decoded, or nil when it is malformed.
    private mutating func string() -> String? {
        index += 1
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard flush(&raw, into: &scalars) else { return nil }
                return String(scalars)
            case UInt8(ascii: "\\"):
                guard flush(&raw, into: &scalars), index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(Unicode.Scalar(escape))
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape() else { return nil }
                    scalars.append(scalar)
                default: return nil
                }
            default:
                raw.append(byte)
            }
        }
        return nil
    }

    /// Appends pending raw UTF-8 bytes as scalars.
    private func flush(_ raw: inout [UInt8], into scalars: inout String.UnicodeScalarView) -> Bool {
        guard !raw.isEmpty else { return true }
        guard let text = String(validating: raw, as: UTF8.self) else { return false }
        scalars.append(contentsOf: text.unicodeScalars)
        raw.removeAll(keepingCapacity: true)
        return true
    }

    /// The scalar of `XXXX` after `\u` (and of a following low surrogate escape when it is a high one).
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let high = hex4() else { return nil }
        if (0xD800..<0xDC00).contains(high) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                return nil
            }
            index += 2
            guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        }
        return Unicode.Scalar(high)
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[index..<(index + 4)] {
            guard let digit = Self.hexValue(byte) else { return nil }
            value = value << 4 | digit
        }
        index += 4
        return value
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    private static func isDelimiter(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") || isWhitespace(byte)
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, Self.isWhitespace(bytes[index]) { index += 1 }
    }

    private mutating func stop() {
        isStopped = true
    }
}
