import Foundation
import Testing
import WebhookCrypto

@Suite struct HexTests {
    @Test func decodesEitherCase() {
        #expect(Hex.decode("00ff10Ab") == [0x00, 0xFF, 0x10, 0xAB])
        #expect(Hex.decode("DEADbeef") == [0xDE, 0xAD, 0xBE, 0xEF])
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("sha256=0a".dropFirst(7)) == [0x0A])
    }

    @Test(
        "refuses non-strict hex",
        arguments: [
            "0", "abc", // odd length
            "0g", "zz", "0x12", "12 ", " 12", "12\n", "1-", "+1", "é1", // characters outside 0-9a-fA-F
            "\u{FF10}\u{FF11}", // fullwidth digits (even length in characters, not ASCII)
        ]
    )
    func refusesNonStrictHex(text: String) {
        #expect(Hex.decode(text) == nil)
    }

    @Test func encodesLowercase() {
        #expect(Hex.encode([0x00, 0x0F, 0xA0, 0xFF]) == "000fa0ff")
        #expect(Hex.encode([]) == "")
    }

    /// Every byte value survives encode then decode, and uppercase input decodes to the same bytes.
    @Test func roundTripsEveryByte() {
        let bytes = (0...255).map { UInt8($0) }
        let text = Hex.encode(bytes)
        #expect(text.count == 512)
        #expect(Hex.decode(text) == bytes)
        #expect(Hex.decode(text.uppercased()) == bytes)
        #expect(Hex.decode(utf8: Array(text.utf8)) == bytes)
    }
}

@Suite struct Base64Tests {
    /// RFC 4648 §10 test vectors.
    @Test(
        "RFC 4648 vectors",
        arguments: [
            ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ]
    )
    func rfc4648Vectors(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test(
        "refuses non-strict base64",
        arguments: [
            "Zg", "Zm8", "Zm9vYg", // unpadded
            "Zg=", "Z", "Zm9vY", // length not a multiple of 4
            "Zg==Zg==", "Zm8=Zm8=", "=Zm8", "Z=m8", // padding in the middle
            "Z===", "====", "Zm9v====", // too much padding
            "Zh==", "Zm9=", // non-zero pad bits
            "Zm9v\n", " Zm9v", "Zm 9v", "Zm9v\r\n", "Zm9v\tYmFy", // whitespace
            "Zm-_", "Zm9v-_==", // URL-safe alphabet
            "Zm9*", "Zm\u{0}v", "Zm9é", // other characters
        ]
    )
    func refusesNonStrictBase64(text: String) {
        #expect(Base64.decode(text) == nil)
    }

    /// Random bytes of every length up to 100 round-trip and match Foundation's independent encoder.
    @Test func roundTripsAndAgreesWithFoundation() {
        var random = SeededGenerator(seed: 0x5EED_0006)
        for length in 0...100 {
            let bytes = random.bytes(length)
            let encoded = Base64.encode(bytes)
            #expect(encoded == Data(bytes).base64EncodedString())
            #expect(Base64.decode(encoded) == bytes)
            #expect(Base64.decode(Substring(encoded)) == bytes)
            #expect(Base64.decode(utf8: Array(encoded.utf8)) == bytes)
        }
    }

    /// Foundation's (lenient) decoder accepts every string our strict decoder accepts, with the same bytes.
    @Test func strictDecodingIsASubsetOfFoundation() {
        var random = SeededGenerator(seed: 0x5EED_0007)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
        var accepted = 0
        for _ in 0..<5000 {
            let text = String(
                (0..<(4 * Int.random(in: 1...3, using: &random))).map { _ in
                    alphabet.randomElement(using: &random)!
                }
            )
            guard let ours = Base64.decode(text) else { continue }
            accepted += 1
            #expect(Data(base64Encoded: text).map { [UInt8]($0) } == ours, "\(text)")
            #expect(Base64.encode(ours) == text, "canonical: \(text)")
        }
        #expect(accepted > 0)
    }
}

@Suite struct ConstantTimeEqualsTests {
    @Test func equalBytesAreEqual() {
        #expect(constantTimeEquals([], []))
        #expect(constantTimeEquals([1, 2, 3], [1, 2, 3]))
        let mac = (0..<32).map { UInt8($0) }
        #expect(constantTimeEquals(mac, mac))
    }

    @Test func differentLengthsAreNotEqual() {
        #expect(!constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(!constantTimeEquals([1, 2], [1, 2, 3]))
        #expect(!constantTimeEquals([], [0]))
        #expect(!constantTimeEquals([0], []))
    }

    /// A difference in any single position (first, middle, last) is found.
    @Test func anySingleDifferenceIsFound() {
        let reference = (0..<32).map { UInt8($0 * 7) }
        for index in reference.indices {
            for bit in 0..<8 {
                var other = reference
                other[index] ^= 1 << bit
                #expect(!constantTimeEquals(reference, other))
            }
        }
    }
}
