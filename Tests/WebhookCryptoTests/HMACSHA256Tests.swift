import Foundation
import Testing
import WebhookCrypto

@Suite struct HMACSHA256Tests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let key: [UInt8]
        let data: [UInt8]
        let macHex: String
        var testDescription: String { name }
    }

    /// RFC 4231 §4.2–4.8, HMAC-SHA-256 results. Case 5's result is truncated to 128 bits in the RFC.
    static let rfc4231: [Vector] = [
        Vector(
            name: "RFC 4231 case 1",
            key: [UInt8](repeating: 0x0B, count: 20),
            data: Array("Hi There".utf8),
            macHex: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        ),
        Vector(
            name: "RFC 4231 case 2",
            key: Array("Jefe".utf8),
            data: Array("what do ya want for nothing?".utf8),
            macHex: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        ),
        Vector(
            name: "RFC 4231 case 3",
            key: [UInt8](repeating: 0xAA, count: 20),
            data: [UInt8](repeating: 0xDD, count: 50),
            macHex: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
        ),
        Vector(
            name: "RFC 4231 case 4",
            key: (1...25).map { UInt8($0) },
            data: [UInt8](repeating: 0xCD, count: 50),
            macHex: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
        ),
        Vector(
            name: "RFC 4231 case 5 (truncated to 128 bits)",
            key: [UInt8](repeating: 0x0C, count: 20),
            data: Array("Test With Truncation".utf8),
            macHex: "a3b6167473100ee06e0c796c2955552b"
        ),
        Vector(
            name: "RFC 4231 case 6",
            key: [UInt8](repeating: 0xAA, count: 131),
            data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            macHex: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        ),
        Vector(
            name: "RFC 4231 case 7",
            key: [UInt8](repeating: 0xAA, count: 131),
            data: Array(
                ("This is a test using a larger than block-size key and a larger than block-size data. "
                    + "The key needs to be hashed before being used by the HMAC algorithm.").utf8
            ),
            macHex: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
        ),
    ]

    @Test("RFC 4231 known answers", arguments: rfc4231)
    func rfc4231KnownAnswers(vector: Vector) throws {
        let expected = try #require(Hex.decode(vector.macHex))
        let mac = vector.data.withUnsafeBytes { HMACSHA256.authenticationCode(for: $0, key: vector.key) }
        #expect(mac.count == 32)
        // Case 5 publishes only the first 128 bits: compare the prefix the RFC gives.
        #expect(Array(mac.prefix(expected.count)) == expected)
        #expect(HMACSHA256.authenticationCode(for: vector.data, key: vector.key) == mac)
        if expected.count == 32 {
            #expect(HMACSHA256.isValid(expected, for: vector.data, key: vector.key))
        }
    }

    /// HMAC with an empty key over an empty message is well defined (no NULL-pointer failure inside OpenSSL).
    @Test func emptyKeyAndEmptyMessage() throws {
        let expected = try #require(Hex.decode("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"))
        #expect(HMACSHA256.authenticationCode(for: [UInt8](), key: []) == expected)
        #expect(HMACSHA256.isValid(expected, for: [UInt8](), key: []))
    }

    /// Every overload (raw buffer, array, slice, Data, UTF-8 view) computes the same MAC.
    @Test func overloadsAgree() {
        let key = Array("secret".utf8)
        let body = "{\"event\":\"kyc.validation_approved\"}"
        let reference = Array(body.utf8).withUnsafeBytes { HMACSHA256.authenticationCode(for: $0, key: key) }
        #expect(HMACSHA256.authenticationCode(for: Array(body.utf8), key: key) == reference)
        #expect(HMACSHA256.authenticationCode(for: Array(body.utf8)[...], key: key) == reference)
        #expect(HMACSHA256.authenticationCode(for: Data(body.utf8), key: key) == reference)
        #expect(HMACSHA256.authenticationCode(for: body.utf8, key: key) == reference)
        let tail = Array(("xx" + body).utf8).dropFirst(2)
        #expect(HMACSHA256.authenticationCode(for: tail, key: key) == reference)
    }

    /// `isValid` accepts only the exact MAC: a flipped bit, a truncated or extended MAC, or a wrong key all fail.
    @Test func isValidRejectsAnyAlteration() {
        let key = Array("rotation-secret-1".utf8)
        let body = Array("{\"id\":\"evt_1\"}".utf8)
        let mac = HMACSHA256.authenticationCode(for: body, key: key)
        #expect(HMACSHA256.isValid(mac, for: body, key: key))
        for index in mac.indices {
            var altered = mac
            altered[index] ^= 0x01
            #expect(!HMACSHA256.isValid(altered, for: body, key: key))
        }
        #expect(!HMACSHA256.isValid(Array(mac.prefix(31)), for: body, key: key))
        #expect(!HMACSHA256.isValid(Array(mac.prefix(16)), for: body, key: key))
        #expect(!HMACSHA256.isValid(mac + [0], for: body, key: key))
        #expect(!HMACSHA256.isValid([], for: body, key: key))
        #expect(!HMACSHA256.isValid(mac, for: body, key: Array("rotation-secret-2".utf8)))
        #expect(!HMACSHA256.isValid(mac, for: body + [0x20], key: key))
    }

    /// Random printable keys and binary messages agree with `openssl dgst -sha256 -hmac KEY -r FILE`.
    @Test func agreesWithOpenSSLCommandForTextKeys() throws {
        var random = SeededGenerator(seed: 0x5EED_0001)
        let keyAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
        for length in [0, 1, 63, 64, 65, 1200, 4096] {
            let key = String(
                (0..<Int.random(in: 1...80, using: &random)).map { _ in
                    keyAlphabet.randomElement(using: &random)!
                }
            )
            let message = random.bytes(length)
            let expected = try OpenSSLCommand.digestHex(["-sha256", "-hmac", key], input: message)
            let mac = HMACSHA256.authenticationCode(for: message, key: Array(key.utf8))
            #expect(Hex.encode(mac) == expected, "key length \(key.count), message length \(length)")
        }
    }

    /// Random binary keys (including ones longer than the 64-byte block) agree with
    /// `openssl dgst -sha256 -mac HMAC -macopt hexkey:… -r FILE`.
    @Test func agreesWithOpenSSLCommandForBinaryKeys() throws {
        var random = SeededGenerator(seed: 0x5EED_0002)
        for keyLength in [1, 32, 64, 65, 200] {
            let key = random.bytes(keyLength)
            let message = random.bytes(Int.random(in: 0...2000, using: &random))
            let expected = try OpenSSLCommand.digestHex(
                ["-sha256", "-mac", "HMAC", "-macopt", "hexkey:\(Hex.encode(key))"],
                input: message
            )
            #expect(Hex.encode(HMACSHA256.authenticationCode(for: message, key: key)) == expected)
        }
    }
}
