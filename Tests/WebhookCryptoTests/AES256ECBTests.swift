import Testing
import WebhookCrypto

@Suite struct AES256ECBTests {
    private static let key: [UInt8] = (0..<32).map { UInt8($0) }

    /// Encrypting then decrypting gives back the plaintext for every length around the block boundaries,
    /// and the ciphertext is always the padded length (PKCS#7 adds 1...16 bytes).
    @Test("round trip", arguments: [0, 1, 15, 16, 17, 31, 32, 33, 100, 1024])
    func roundTrip(length: Int) throws {
        let plaintext = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let ciphertext = try AES256ECB.encrypt(plaintext, key: Self.key)
        #expect(ciphertext.count == (length / 16 + 1) * 16)
        #expect(try AES256ECB.decrypt(ciphertext, key: Self.key) == plaintext)
        #expect(try AES256ECB.decrypt(ciphertext[...], key: Self.key) == plaintext)
    }

    /// NIST SP 800-38A F.1.5 (ECB-AES256.Encrypt): the four published blocks are the first 64 bytes of our
    /// PKCS#7 output; the fifth block is the encryption of the full padding block (16 × 0x10).
    @Test func nistSP80038AVector() throws {
        let key = try #require(Hex.decode("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4"))
        let plaintext = try #require(
            Hex.decode(
                "6bc1bee22e409f96e93d7e117393172a" + "ae2d8a571e03ac9c9eb76fac45af8e51"
                    + "30c81c46a35ce411e5fbc1191a0a52ef" + "f69f2445df4f9b17ad2b417be66c3710"
            )
        )
        let expected = try #require(
            Hex.decode(
                "f3eed1bdb5d2a03c064b5a7e3db181f8" + "591ccb10d410ed26dc5ba74a31362870"
                    + "b6ed21b99ca6f4f9f153e7b1beafed1d" + "23304b7a39f9f3ff067d8d8f9e24ecc7"
            )
        )
        let ciphertext = try AES256ECB.encrypt(plaintext, key: key)
        #expect(ciphertext.count == 80)
        #expect(Array(ciphertext.prefix(64)) == expected)
        let paddingBlock = try AES256ECB.encrypt([UInt8](repeating: 0x10, count: 16), key: key)
        #expect(Array(ciphertext.suffix(16)) == Array(paddingBlock.prefix(16)))
        #expect(try AES256ECB.decrypt(ciphertext, key: key) == plaintext)
    }

    /// Encryption agrees with `openssl enc -aes-256-ecb -K <hex> -nosalt` (PKCS#7 on) for random keys and lengths.
    @Test func agreesWithOpenSSLCommand() throws {
        var random = SeededGenerator(seed: 0x5EED_0004)
        for length in [0, 1, 16, 33, 500] {
            let key = random.bytes(32)
            let plaintext = random.bytes(length)
            let expected = try OpenSSLCommand.run(
                ["enc", "-aes-256-ecb", "-K", Hex.encode(key), "-nosalt", "-in"],
                input: plaintext
            )
            #expect(try AES256ECB.encrypt(plaintext, key: key) == expected, "length \(length)")
            #expect(try AES256ECB.decrypt(expected, key: key) == plaintext)
        }
    }

    @Test("ARGOS encrypted fixtures decrypt", arguments: ArgosEncryptedFixtures.all)
    func argosFixturesDecrypt(data: String) throws {
        let key = SHA256.hash(Array(ArgosEncryptedFixtures.apiKey.utf8))
        let ciphertext = try #require(Base64.decode(data))
        let plaintext = try AES256ECB.decrypt(ciphertext, key: key)
        let text = String(decoding: plaintext, as: UTF8.self)
        #expect(text.hasPrefix("{"))
        #expect(text.contains("\"webhook_trigger\""))
    }

    /// The ARGOS fixtures under another key fail the PKCS#7 check (for this key; a random key passes it with a
    /// probability of about 1/256, see ``decryptWithRandomKeysNeverCrashes()``).
    @Test("wrong key is bad padding", arguments: ArgosEncryptedFixtures.all)
    func wrongKeyIsBadPadding(data: String) throws {
        let wrongKey = SHA256.hash(Array("not-the-argos-api-key".utf8))
        let ciphertext = try #require(Base64.decode(data))
        #expect(throws: CryptoError.badPadding) { try AES256ECB.decrypt(ciphertext, key: wrongKey) }
    }

    /// Blocks that decrypt to each kind of invalid PKCS#7 padding are refused with `.badPadding`.
    @Test(
        "invalid padding",
        arguments: [
            [UInt8](repeating: 0, count: 16), // pad byte 0
            [UInt8](repeating: 0x11, count: 16), // pad byte 17 > block size
            [UInt8](repeating: 0xFF, count: 16), // pad byte 255
            [UInt8](repeating: 0x41, count: 14) + [0x03, 0x02], // "02" pad without its second 0x02
            [UInt8](repeating: 0x41, count: 1) + [UInt8](repeating: 0x10, count: 15), // 16 claimed, 15 present
        ]
    )
    func invalidPadding(lastBlock: [UInt8]) throws {
        // Encrypting a full block yields [E(block), E(padding)]; the first block alone decrypts to `lastBlock`.
        let ciphertext = try AES256ECB.encrypt(lastBlock, key: Self.key)
        let truncated = Array(ciphertext.prefix(16))
        #expect(throws: CryptoError.badPadding) { try AES256ECB.decrypt(truncated, key: Self.key) }
    }

    @Test("ciphertext length not a positive multiple of 16", arguments: [0, 1, 15, 17, 31, 33])
    func invalidCiphertextLength(length: Int) {
        let ciphertext = [UInt8](repeating: 0x5A, count: length)
        #expect(throws: CryptoError.invalidCiphertextLength) { try AES256ECB.decrypt(ciphertext, key: Self.key) }
    }

    @Test("key length not 32", arguments: [0, 16, 24, 31, 33, 64])
    func invalidKeyLength(length: Int) {
        let key = [UInt8](repeating: 0x01, count: length)
        #expect(throws: CryptoError.invalidKeyLength(actual: length)) {
            try AES256ECB.decrypt([UInt8](repeating: 0, count: 32), key: key)
        }
        #expect(throws: CryptoError.invalidKeyLength(actual: length)) { try AES256ECB.encrypt([1, 2, 3], key: key) }
    }

    /// Random keys and ciphertexts only ever produce a plaintext shorter than the input or `.badPadding`.
    @Test func decryptWithRandomKeysNeverCrashes() {
        var random = SeededGenerator(seed: 0x5EED_0005)
        var successes = 0
        for _ in 0..<2000 {
            let key = random.bytes(32)
            let ciphertext = random.bytes(16 * Int.random(in: 1...8, using: &random))
            do {
                let plaintext = try AES256ECB.decrypt(ciphertext, key: key)
                #expect(plaintext.count < ciphertext.count && plaintext.count >= ciphertext.count - 16)
                successes += 1
            } catch {
                #expect(error == .badPadding)
            }
        }
        // About 1/256 + 1/65536 + … of random blocks end in valid padding; far from all or none.
        #expect(successes < 100)
    }

    /// No error description carries key or plaintext bytes: each is a fixed sentence.
    @Test func errorDescriptionsCarryNoSecrets() {
        let errors: [CryptoError] = [
            .invalidCiphertextLength, .invalidKeyLength(actual: 31), .badPadding,
            .openSSLFailure(operation: "EVP_DecryptUpdate"),
        ]
        for error in errors {
            #expect(error.description.hasPrefix("AES-256-ECB: ") || error.description.hasPrefix("OpenSSL: "))
        }
        #expect(CryptoError.invalidKeyLength(actual: 31).description == "AES-256-ECB: key must be 32 bytes, got 31")
    }
}
