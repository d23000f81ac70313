/// Strict hexadecimal: even length, `0-9a-fA-F` only.
///
/// Signatures arrive as hex in headers; anything that is not exactly hex digits (a space, a `0x` prefix, an odd
/// digit) is refused rather than repaired, so a malformed signature never reaches the comparison.
public enum Hex {
    /// The bytes of `text`, or nil when it is not strict hex.
    ///
    /// Either case is accepted, even mixed within one string. The empty string decodes to no bytes.
    ///
    /// - Parameter text: The hex digits, with no prefix, separator or whitespace.
    /// - Returns: The decoded bytes, or nil for an odd length or a character outside `0-9a-fA-F`.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        decode(utf8: text.utf8)
    }

    /// The bytes of the hex digits in `utf8`, or nil when they are not strict hex.
    ///
    /// - Parameter utf8: The UTF-8 (ASCII) code units of the hex digits.
    /// - Returns: The decoded bytes, or nil for an odd length or a code unit outside `0-9a-fA-F`.
    public static func decode(utf8: some Collection<UInt8>) -> [UInt8]? {
        if let result = utf8.withContiguousStorageIfAvailable({ decode(contiguous: $0) }) {
            return result
        }
        return decode(contiguous: [UInt8](utf8))
    }

    /// Lowercase hex of `bytes`.
    ///
    /// - Parameter bytes: The bytes to encode.
    /// - Returns: Two lowercase hex digits per byte.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            utf8.append(digits[Int(byte >> 4)])
            utf8.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    // MARK: - Tables

    /// The lowercase hex digits, indexed by 4-bit value.
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    // MARK: - Decoding

    private static func decode(contiguous input: some RandomAccessCollection<UInt8>) -> [UInt8]? {
        guard input.count % 2 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 2)
        var index = input.startIndex
        while index != input.endIndex {
            let next = input.index(after: index)
            guard let high = value(of: input[index]), let low = value(of: input[next]) else { return nil }
            output.append(high << 4 | low)
            index = input.index(after: next)
        }
        return output
    }

    /// The value of one hex digit, or nil when `codeUnit` is not `0-9a-fA-F`.
    @inline(__always)
    private static func value(of codeUnit: UInt8) -> UInt8? {
        switch codeUnit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return codeUnit &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return codeUnit &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return codeUnit &- UInt8(ascii: "A") &+ 10
        default: return nil
        }
    }
}
