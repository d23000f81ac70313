import Testing
@testable import WebhookHTTP

/// The bit masks of ``HTTPByteClass`` equal the grammar's plain definitions, for every byte.
@Suite("HTTP parser byte classes")
struct ParserByteClassTests {
    static let alnum = Set(Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8))
    static let token = alnum.union(Array("!#$%&'*+-.^_`|~".utf8))
    static let target = alnum.union(Array("-._~!$&'()*+,;=:@/?%".utf8))
    static let host = alnum.union(Array("-._~!$&'()*+,;=:%[]".utf8))

    @Test func tokenMatchesRFC9110() {
        for b in UInt8.min...UInt8.max {
            #expect(HTTPByteClass.isToken(b) == Self.token.contains(b), "byte \(b)")
        }
    }

    @Test func targetMatchesRFC3986() {
        for b in UInt8.min...UInt8.max {
            #expect(HTTPByteClass.isTarget(b) == Self.target.contains(b), "byte \(b)")
        }
    }

    @Test func hostMatchesRFC3986() {
        for b in UInt8.min...UInt8.max {
            #expect(HTTPByteClass.isHost(b) == Self.host.contains(b), "byte \(b)")
        }
    }

    /// Field values allow HTAB, SP, VCHAR and obs-text, and no other control byte.
    @Test func fieldValueBytes() {
        for b in UInt8.min...UInt8.max {
            let expected = b == 0x09 || (b >= 0x20 && b <= 0x7E) || b >= 0x80
            #expect(HTTPByteClass.isFieldValue(b) == expected, "byte \(b)")
        }
    }

    @Test func hexDigits() {
        for b in UInt8.min...UInt8.max {
            let expected = Int(String(UnicodeScalar(b)), radix: 16)
            #expect(HTTPByteClass.hexValue(b) == expected, "byte \(b)")
        }
    }
}
