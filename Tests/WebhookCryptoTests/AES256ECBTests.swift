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

    @Test("ARGOS encrypted fixtures decrypt", arguments: [
        ArgosEncryptedFixtures.approved, ArgosEncryptedFixtures.delete, ArgosEncryptedFixtures.rejected,
    ])
    func argosFixturesDecrypt(data: String) throws {
        let key = SHA256.hash(Array(ArgosEncryptedFixtures.apiKey.utf8))
        let ciphertext = try #require(Base64.decode(data))
        let plaintext = try AES256ECB.decrypt(ciphertext, key: key)
        let text = String(decoding: plaintext, as: UTF8.self)
        #expect(text.hasPrefix("{"))
        #expect(text.contains("\"webhook_trigger\""))
    }
}
