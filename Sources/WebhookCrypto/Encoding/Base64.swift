/// Strict standard base64 (RFC 4648 §4): the alphabet, correct padding, no whitespace.
///
/// Decoding refuses, rather than repairs:
/// - unpadded input: the length must be a multiple of 4 (RFC 4648 §3.2 requires padding unless the referring
///   specification says otherwise, and neither ARGOS nor Standard Webhooks does);
/// - whitespace and line breaks anywhere (RFC 4648 §3.3), and the URL-safe alphabet `-_` (§5);
/// - `=` anywhere but the last one or two characters of the input;
/// - non-zero pad bits, e.g. `QR==` for `A` (§3.5), so each byte string has exactly one accepted encoding.
public enum Base64 {
    /// The bytes of `text`, or nil when it is not strict base64.
    ///
    /// The empty string decodes to no bytes.
    ///
    /// - Parameter text: Padded standard base64 with no whitespace.
    /// - Returns: The decoded bytes, or nil when `text` breaks any rule listed on ``Base64``.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        decode(utf8: text.utf8)
    }

    /// The bytes of the base64 text in `utf8`, or nil when it is not strict base64.
    ///
    /// - Parameter utf8: The UTF-8 (ASCII) code units of the base64 text.
    /// - Returns: The decoded bytes, or nil when the text breaks any rule listed on ``Base64``.
    public static func decode(utf8: some Collection<UInt8>) -> [UInt8]? {
        if let result = utf8.withContiguousStorageIfAvailable({ decode(contiguous: $0) }) {
            return result
        }
        return decode(contiguous: [UInt8](utf8))
    }

    /// Padded standard base64 of `bytes`.
    ///
    /// - Parameter bytes: The bytes to encode.
    /// - Returns: The RFC 4648 §4 encoding with `=` padding and no line breaks.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let input = [UInt8](bytes)
        var utf8: [UInt8] = []
        utf8.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            utf8.append(alphabet[Int(group >> 18 & 0x3F)])
            utf8.append(alphabet[Int(group >> 12 & 0x3F)])
            utf8.append(alphabet[Int(group >> 6 & 0x3F)])
            utf8.append(alphabet[Int(group & 0x3F)])
            index += 3
        }
        switch input.count - index {
        case 1:
            let group = UInt32(input[index]) << 16
            utf8.append(alphabet[Int(group >> 18 & 0x3F)])
            utf8.append(alphabet[Int(group >> 12 & 0x3F)])
            utf8.append(padding)
            utf8.append(padding)
        case 2:
            let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
            utf8.append(alphabet[Int(group >> 18 & 0x3F)])
            utf8.append(alphabet[Int(group >> 12 & 0x3F)])
            utf8.append(alphabet[Int(group >> 6 & 0x3F)])
            utf8.append(padding)
        default:
            break
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    // MARK: - Tables

    /// The RFC 4648 §4 alphabet, indexed by 6-bit value.
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8
    )
    private static let padding = UInt8(ascii: "=")

    // MARK: - Decoding

    /// The 6-bit value of one base64 character, or nil when `codeUnit` is not in the standard alphabet.
    @inline(__always)
    private static func value(of codeUnit: UInt8) -> UInt32? {
        switch codeUnit {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt32(codeUnit &- UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt32(codeUnit &- UInt8(ascii: "a")) + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(codeUnit &- UInt8(ascii: "0")) + 52
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }

    private static func decode(contiguous input: some RandomAccessCollection<UInt8>) -> [UInt8]? {
        let count = input.count
        guard count % 4 == 0 else { return nil }
        guard count > 0 else { return [] }
        let start = input.startIndex
        func at(_ offset: Int) -> UInt8 { input[input.index(start, offsetBy: offset)] }

        // Padding may only be the last one or two characters.
        let paddingCount: Int
        if at(count - 1) == padding {
            paddingCount = at(count - 2) == padding ? 2 : 1
        } else {
            paddingCount = 0
        }
        var output: [UInt8] = []
        output.reserveCapacity(count / 4 * 3 - paddingCount)

        // Full groups: every group but the last, and the last one when it has no padding.
        let fullGroupsEnd = paddingCount == 0 ? count : count - 4
        var offset = 0
        while offset < fullGroupsEnd {
            guard let a = value(of: at(offset)), let b = value(of: at(offset + 1)),
                let c = value(of: at(offset + 2)), let d = value(of: at(offset + 3))
            else { return nil }
            let group = a << 18 | b << 12 | c << 6 | d
            output.append(UInt8(truncatingIfNeeded: group >> 16))
            output.append(UInt8(truncatingIfNeeded: group >> 8))
            output.append(UInt8(truncatingIfNeeded: group))
            offset += 4
        }
        guard paddingCount > 0 else { return output }

        // The last group: "xx==" carries one byte, "xxx=" two; the unused low bits must be zero.
        guard let a = value(of: at(offset)), let b = value(of: at(offset + 1)) else { return nil }
        if paddingCount == 2 {
            guard b & 0x0F == 0 else { return nil }
            output.append(UInt8(truncatingIfNeeded: a << 2 | b >> 4))
        } else {
            guard let c = value(of: at(offset + 2)), c & 0x03 == 0 else { return nil }
            let group = a << 12 | b << 6 | c
            output.append(UInt8(truncatingIfNeeded: group >> 10))
            output.append(UInt8(truncatingIfNeeded: group >> 2))
        }
        return output
    }
}
