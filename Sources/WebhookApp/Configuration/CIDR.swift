/// A range of IPv4 or IPv6 addresses in CIDR notation: `203.0.113.0/24`, `::1/128`.
///
/// Used for a route's `allowFrom` and for `trustedProxies` (docs/reference.md §3). A plain address is a range of one
/// (`/32` or `/128`). Parsing is strict: dotted-quad IPv4 without leading zeros, RFC 4291 IPv6 text
/// (with `::` and an optional dotted-quad tail), no zone index, and no bits set beyond the prefix
/// (`203.0.113.5/24` is refused: it is almost always a typo for `203.0.113.0/24` or `203.0.113.5/32`).
///
/// ```swift
/// let office = CIDR("203.0.113.0/24")!
/// office.contains(address: "203.0.113.77")  // true
/// ```
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    /// The address family of a range.
    public enum Family: Sendable, Hashable {
        /// 32-bit addresses.
        case ipv4
        /// 128-bit addresses.
        case ipv6
    }

    /// The network address in network byte order: 4 bytes for IPv4, 16 for IPv6.
    public let networkBytes: [UInt8]
    /// How many leading bits are fixed: 0...32 for IPv4, 0...128 for IPv6.
    public let prefixLength: Int

    /// IPv4 or IPv6, from the length of ``networkBytes``.
    public var family: Family { networkBytes.count == 4 ? .ipv4 : .ipv6 }

    // MARK: Initialization

    /// Parses `text` (`203.0.113.0/24`, `::1/128`, or a plain address); nil when it is not a strict CIDR.
    ///
    /// - Parameters:
    ///   - text: the CIDR or the plain address.
    public init?(_ text: String) {
        guard case .success(let cidr) = CIDR.parse(text) else { return nil }
        self = cidr
    }

    private init(networkBytes: [UInt8], prefixLength: Int) {
        self.networkBytes = networkBytes
        self.prefixLength = prefixLength
    }

    /// Why a text is not a CIDR; each case's description is a sentence that never repeats the text.
    enum ParseError: Error, Equatable, CustomStringConvertible {
        /// The part before `/` is not an IPv4 or IPv6 address.
        case invalidAddress
        /// The part after `/` is not a decimal number in the family's range.
        case invalidPrefix(maximum: Int)
        /// The address has bits set after the prefix.
        case hostBitsSet

        var description: String {
            switch self {
            case .invalidAddress:
                return "is not an IPv4 or IPv6 address or range: write it like 203.0.113.0/24, 2001:db8::/32 or ::1"
            case .invalidPrefix(let maximum):
                return "has an invalid prefix length: write a number from 0 to \(maximum) after the slash"
            case .hostBitsSet:
                return "has address bits set beyond its prefix length: write the network address (like 203.0.113.0/24)"
                    + " or a single address with /32 or /128"
            }
        }
    }

    /// Parses `text`, saying why it is not a CIDR when it is not.
    static func parse(_ text: String) -> Result<CIDR, ParseError> {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = IPAddress.parse(parts[0]) else { return .failure(.invalidAddress) }
        let maximum = bytes.count * 8
        var prefix = maximum
        if parts.count == 2 {
            let digits = parts[1]
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                digits == "0" || digits.first != "0", let value = Int(digits), value <= maximum
            else { return .failure(.invalidPrefix(maximum: maximum)) }
            prefix = value
        }
        let cidr = CIDR(networkBytes: bytes, prefixLength: prefix)
        guard cidr.masked(bytes) == bytes else { return .failure(.hostBitsSet) }
        return .success(cidr)
    }

    // MARK: Membership

    /// Whether `address` (an IPv4 or IPv6 literal, as the listener reports a peer) lies in this range.
    ///
    /// An IPv4-mapped IPv6 address (`::ffff:203.0.113.7`, as a dual-stack socket reports IPv4 peers) is
    /// compared as the IPv4 address it carries. A zone index (`fe80::1%eth0`) is ignored. Text that is not
    /// an address is in no range.
    ///
    /// - Parameters:
    ///   - address: the address to test.
    /// - Returns: true when the address is in the range.
    public func contains(address: String) -> Bool {
        let withoutZone = address.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard let bytes = IPAddress.parse(withoutZone) else { return false }
        return contains(addressBytes: bytes)
    }

    /// Whether the address given as network-order bytes (4 or 16 of them) lies in this range.
    ///
    /// - Parameters:
    ///   - addressBytes: 4 bytes (IPv4) or 16 bytes (IPv6).
    /// - Returns: true when the address is in the range.
    public func contains(addressBytes: [UInt8]) -> Bool {
        var candidate = addressBytes
        if candidate.count == 16, networkBytes.count == 4, IPAddress.isIPv4Mapped(candidate) {
            candidate = Array(candidate[12...])
        }
        guard candidate.count == networkBytes.count else { return false }
        return masked(candidate) == networkBytes
    }

    /// `bytes` with every bit after the prefix cleared.
    private func masked(_ bytes: [UInt8]) -> [UInt8] {
        var result = bytes
        for index in result.indices {
            let bitsBefore = index * 8
            if bitsBefore >= prefixLength {
                result[index] = 0
            } else if bitsBefore + 8 > prefixLength {
                let kept = prefixLength - bitsBefore
                result[index] &= UInt8(truncatingIfNeeded: 0xFF << (8 - kept))
            }
        }
        return result
    }

    // MARK: Description

    /// The canonical text: `203.0.113.0/24`, `2001:db8::/32`.
    public var description: String {
        "\(IPAddress.format(networkBytes))/\(prefixLength)"
    }
}

/// Strict text forms of IPv4 and IPv6 addresses, without the C library (so tests and errors are ours).
enum IPAddress {
    /// The 4 or 16 network-order bytes of an address literal, or nil.
    static func parse(_ text: Substring) -> [UInt8]? {
        if text.contains(":") { return parseIPv6(text) }
        return parseIPv4(text)
    }

    /// Dotted quad, four decimal parts 0...255, no leading zeros (which some parsers read as octal).
    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part == "0" || part.first != "0", let value = UInt8(part)
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    /// RFC 4291 §2.2 text: eight groups of 1-4 hex digits, one `::` at most, an optional dotted-quad tail.
    static func parseIPv6(_ text: Substring) -> [UInt8]? {
        var head = text
        var tail: Substring = ""
        var hasGap = false
        if let gap = doubleColon(in: text) {
            hasGap = true
            head = text[..<gap]
            tail = text[text.index(gap, offsetBy: 2)...]
            if doubleColon(in: tail) != nil { return nil }
        }
        guard let headGroups = groups(head, allowsIPv4Tail: !hasGap),
            let tailGroups = groups(tail, allowsIPv4Tail: hasGap)
        else { return nil }
        let count = headGroups.count + tailGroups.count
        if hasGap {
            guard count <= 7 else { return nil }
        } else {
            guard count == 8 else { return nil }
        }
        let words = headGroups + Array(repeating: 0, count: 8 - count) + tailGroups
        return words.flatMap { [UInt8(truncatingIfNeeded: $0 >> 8), UInt8(truncatingIfNeeded: $0)] }
    }

    /// The index of the first `::` in `text`.
    private static func doubleColon(in text: Substring) -> Substring.Index? {
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(after: index)
            if text[index] == ":", next < text.endIndex, text[next] == ":" { return index }
            index = next
        }
        return nil
    }

    /// The 16-bit groups of one side of `::` (an IPv4 tail counts as two groups).
    private static func groups(_ text: Substring, allowsIPv4Tail: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var words: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1, allowsIPv4Tail, part.contains(".") {
                guard let v4 = parseIPv4(part) else { return nil }
                words.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                words.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                continue
            }
            guard (1...4).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isHexDigit }),
                let word = UInt16(part, radix: 16)
            else { return nil }
            words.append(word)
        }
        return words
    }

    /// Whether 16 bytes are an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2).
    static func isIPv4Mapped(_ bytes: [UInt8]) -> Bool {
        bytes.count == 16 && bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
    }

    /// Text of 4 or 16 bytes: dotted quad, or RFC 5952 IPv6 (lowercase, longest zero run as `::`).
    static func format(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        let words = stride(from: 0, to: 16, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        var bestStart = -1
        var bestLength = 0
        var index = 0
        while index < 8 {
            guard words[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < 8, words[end] == 0 { end += 1 }
            if end - index > bestLength, end - index >= 2 {
                bestStart = index
                bestLength = end - index
            }
            index = end
        }
        let hex = words.map { String($0, radix: 16) }
        guard bestStart >= 0 else { return hex.joined(separator: ":") }
        let left = hex[0..<bestStart].joined(separator: ":")
        let right = hex[(bestStart + bestLength)...].joined(separator: ":")
        return "\(left)::\(right)"
    }
}
