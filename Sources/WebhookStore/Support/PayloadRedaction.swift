/// Replaces the top-level `payload` member of an event's JSON by `null`, leaving every other byte as it was.
///
/// Used by `prune` once `payloadRetentionDays` have passed: the payload is the sender's object and holds the
/// personal data; the rest of the event (key, type, ids, times, outcome) stays so that `events show` and a
/// late replay still work. A tiny scanner instead of a decode/encode round trip, so that the order of members
/// and the spelling of numbers are kept.
enum PayloadRedaction {
    /// What a prune leaves when the event JSON cannot be scanned (never expected: the receiver wrote it).
    static let fallback: [UInt8] = Array("{}".utf8)

    /// `json` with its top-level `"payload"` value replaced by `null`, or nil if `json` is not an object.
    static func redactingPayload(_ json: [UInt8]) -> [UInt8]? {
        var scanner = Scanner(bytes: json)
        scanner.skipWhitespace()
        guard scanner.take(UInt8(ascii: "{")) else { return nil }
        var output: [UInt8] = []
        var copiedUpTo = 0
        scanner.skipWhitespace()
        if scanner.take(UInt8(ascii: "}")) {
            return json
        }
        while true {
            scanner.skipWhitespace()
            guard let name = scanner.string() else { return nil }
            scanner.skipWhitespace()
            guard scanner.take(UInt8(ascii: ":")) else { return nil }
            scanner.skipWhitespace()
            let valueStart = scanner.index
            guard scanner.skipValue() else { return nil }
            if name == Array("payload".utf8) {
                output += json[copiedUpTo..<valueStart]
                output += Array("null".utf8)
                copiedUpTo = scanner.index
            }
            scanner.skipWhitespace()
            if scanner.take(UInt8(ascii: ",")) { continue }
            guard scanner.take(UInt8(ascii: "}")) else { return nil }
            break
        }
        output += json[copiedUpTo...]
        return output
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) {
                index += 1
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// A string's raw (still escaped) bytes between the quotes.
        mutating func string() -> [UInt8]? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\\"): index += 2
                case UInt8(ascii: "\""):
                    let value = Array(bytes[start..<index])
                    index += 1
                    return value
                default: index += 1
                }
            }
            return nil
        }

        /// Skips one value of any kind, nested containers included.
        mutating func skipValue() -> Bool {
            guard index < bytes.count else { return false }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                return string() != nil
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while index < bytes.count {
                    switch bytes[index] {
                    case UInt8(ascii: "\""):
                        guard string() != nil else { return false }
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 {
                            index += 1
                            return true
                        }
                    default: break
                    }
                    index += 1
                }
                return false
            default:
                // A number, true, false or null: up to the next delimiter.
                let start = index
                while index < bytes.count,
                    ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D]
                        .contains(bytes[index])
                {
                    index += 1
                }
                return index > start
            }
        }
    }
}
