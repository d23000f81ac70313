import Foundation
import Testing
import WebhookCrypto

@Suite struct SHA256Tests {
    /// FIPS 180-2 / NIST CSRC examples.
    @Test(
        "SHA-256 known answers",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
        ]
    )
    func knownAnswers(message: String, expectedHex: String) throws {
        let expected = try #require(Hex.decode(expectedHex))
        #expect(SHA256.hash(Array(message.utf8)) == expected)
        #expect(SHA256.hash(message.utf8) == expected)
        let viaBuffer = Array(message.utf8).withUnsafeBytes { SHA256.hash($0) }
        #expect(viaBuffer == expected)
        #expect(Hex.encode(SHA256.hash(Array(message.utf8))) == expectedHex)
    }
}

extension SHA256Tests {
    /// Random messages (around the 64-byte block and padding boundaries) agree with `openssl dgst -sha256 -r`.
    @Test func agreesWithOpenSSLCommand() throws {
        var random = SeededGenerator(seed: 0x5EED_0003)
        for length in [0, 1, 55, 56, 63, 64, 65, 1000, 10_000] {
            let message = random.bytes(length)
            let expected = try OpenSSLCommand.digestHex(["-sha256"], input: message)
            #expect(Hex.encode(SHA256.hash(message)) == expected, "message length \(length)")
        }
    }

    /// A million "a" (FIPS 180-2 appendix B.3) through the Data overload.
    @Test func millionA() throws {
        let expected = try #require(Hex.decode("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"))
        #expect(SHA256.hash(Data(repeating: UInt8(ascii: "a"), count: 1_000_000)) == expected)
    }
}
