/// A small, fast JSON text builder over a byte array (no Foundation).
struct JSONWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        bytes.append(byte)
    }

    mutating func appendRaw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends `text` as a JSON string: quotes, `\"`, `\\`, and every control character escaped.
    mutating func appendString(_ text: String) {
        var text = text
        // Native strings are contiguous UTF-8 already: no copy. Runs that need no escaping are copied in one go.
        text.withUTF8 { utf8 in appendEscaped(utf8) }
    }

    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var runStart = 0
        for index in 0..<utf8.count {
            let byte = utf8[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
            runStart = index + 1
            switch byte {
            case UInt8(ascii: "\""):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "\\"))
            case 0x0A:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "n"))
            case 0x0D:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "r"))
            case 0x09:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "t"))
            case 0x08:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "b"))
            case 0x0C:
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(UInt8(ascii: "f"))
            default:
                appendRaw("\\u00")
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0x0F)])
            }
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends a string, or `null` for nil.
    mutating func appendString(_ text: String?) {
        if let text { appendString(text) } else { appendRaw("null") }
    }

    /// Appends a valid JSON value's bytes without the whitespace between tokens, so the result is one line.
    ///
    /// Strings are copied byte for byte (a valid JSON string holds no raw line breaks), so the value is the
    /// same JSON value, only without insignificant whitespace.
    mutating func appendMinified(_ value: [UInt8]) {
        value.withUnsafeBufferPointer { input in
            var runStart = 0
            var index = 0
            var isInString = false
            while index < input.count {
                let byte = input[index]
                if isInString {
                    if byte == UInt8(ascii: "\\") {
                        index += 2 // the escaped byte can be neither a quote that ends nor whitespace
                        continue
                    }
                    if byte == UInt8(ascii: "\"") { isInString = false }
                } else if byte == UInt8(ascii: "\"") {
                    isInString = true
                } else if byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<index]))
                    runStart = index + 1
                }
                index += 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: input[runStart..<min(index, input.count)]))
        }
    }
}
