/// Byte classes of the HTTP grammar (RFC 9110 §5.6, RFC 3986 §2–3), as branch-light bit tests.
///
/// Each ASCII class is two 64-bit masks: bit `b` of `low` for bytes 0–63, bit `b - 64` of `high` for 64–127.
/// Bytes 128–255 belong to none of these classes. The masks are checked against plain definitions in
/// `ParserByteClassTests`, so a typo here fails a test.
enum HTTPByteClass {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let sp: UInt8 = 0x20
    static let htab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let percent: UInt8 = 0x25

    /// `tchar`: `!#$%&'*+-.^_` + "`|~" + DIGIT + ALPHA.
    static let tokenLow: UInt64 = 0x03FF_6CFA_0000_0000
    static let tokenHigh: UInt64 = 0x57FF_FFFF_C7FF_FFFE

    /// Bytes of a request target: RFC 3986 `unreserved`, `sub-delims`, `:@/?` and `%` (checked for two hex
    /// digits separately). Excludes `#`, `"`, `<`, `>`, `\`, `^`, "`", `{`, `|`, `}`, `[`, `]`, SP and CTLs.
    static let targetLow: UInt64 = 0xAFFF_FFF2_0000_0000
    static let targetHigh: UInt64 = 0x47FF_FFFE_87FF_FFFF

    /// Bytes of a `Host` value: `uri-host [ ":" port ]`, i.e. `unreserved`, `sub-delims`, `:`, `%`, `[`, `]`.
    static let hostLow: UInt64 = 0x2FFF_7FF2_0000_0000
    static let hostHigh: UInt64 = 0x47FF_FFFE_AFFF_FFFE

    @inline(__always)
    static func isMember(_ b: UInt8, low: UInt64, high: UInt64) -> Bool {
        if b < 64 { return (low >> UInt64(b)) & 1 != 0 }
        if b < 128 { return (high >> UInt64(b &- 64)) & 1 != 0 }
        return false
    }

    /// A `tchar` (method, field name, transfer coding).
    @inline(__always)
    static func isToken(_ b: UInt8) -> Bool { isMember(b, low: tokenLow, high: tokenHigh) }

    /// A byte allowed in a request target.
    @inline(__always)
    static func isTarget(_ b: UInt8) -> Bool { isMember(b, low: targetLow, high: targetHigh) }

    /// A byte allowed in a `Host` value.
    @inline(__always)
    static func isHost(_ b: UInt8) -> Bool { isMember(b, low: hostLow, high: hostHigh) }

    /// A byte allowed inside a field value: HTAB, SP, VCHAR and obs-text (never NUL, CR, LF, other CTLs, DEL).
    @inline(__always)
    static func isFieldValue(_ b: UInt8) -> Bool { b == htab || (b >= sp && b != 0x7F) }

    /// SP or HTAB (`OWS` / `BWS`).
    @inline(__always)
    static func isWhitespace(_ b: UInt8) -> Bool { b == sp || b == htab }

    /// The value of a hex digit, or nil.
    @inline(__always)
    static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case 0x30...0x39: return Int(b &- 0x30)
        case 0x41...0x46: return Int(b &- 0x41 &+ 10)
        case 0x61...0x66: return Int(b &- 0x61 &+ 10)
        default: return nil
        }
    }

    /// ASCII lower-casing of one byte.
    @inline(__always)
    static func lower(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }
}
