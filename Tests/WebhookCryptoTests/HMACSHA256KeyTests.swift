import Testing
import WebhookCrypto

/// A prepared key computes exactly the one-shot MAC: known answers, every key length around the block size,
/// and many threads sharing one key.
@Suite struct HMACSHA256KeyTests {
    @Test("RFC 4231 known answers", arguments: HMACSHA256Tests.rfc4231)
    func rfc4231KnownAnswers(vector: HMACSHA256Tests.Vector) throws {
        let expected = try #require(Hex.decode(vector.macHex))
        let key = HMACSHA256.Key(vector.key)
        let mac = key.authenticationCode(for: vector.data)
        #expect(mac.count == 32)
        #expect(Array(mac.prefix(expected.count)) == expected)
        if expected.count == 32 {
            #expect(key.isValid(expected, for: vector.data))
        }
    }

    @Test func emptyKeyAndEmptyMessage() throws {
        let expected = try #require(Hex.decode("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"))
        let key = HMACSHA256.Key([])
        #expect(key.authenticationCode(for: [UInt8]()) == expected)
        #expect(key.isValid(expected, for: [UInt8]()))
    }

    /// Keys shorter than, equal to and longer than the 64-byte block (hashed first), over messages of every
    /// length up to a few blocks, agree with OpenSSL's one-shot `HMAC()`.
    @Test func agreesWithTheOneShotForEveryKeyLength() {
        var generator = SystemRandomNumberGenerator()
        for keyLength in [0, 1, 31, 32, 63, 64, 65, 127, 128, 129, 200] {
            let secret = (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let key = HMACSHA256.Key(secret)
            for messageLength in [0, 1, 55, 56, 63, 64, 65, 119, 120, 1192, 4097] {
                let message = (0..<messageLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let expected = HMACSHA256.authenticationCode(for: message, key: secret)
                #expect(key.authenticationCode(for: message) == expected, "key \(keyLength), message \(messageLength)")
                #expect(key.authenticationCode(for: message[...]) == expected)
            }
        }
    }

    /// `isValid` accepts only the exact MAC, and a key is never changed by use: the same MAC every time.
    @Test func isValidRejectsAnyAlteration() {
        let key = HMACSHA256.Key(Array("rotation-secret-1".utf8))
        let body = Array("{\"id\":\"evt_1\"}".utf8)
        let mac = key.authenticationCode(for: body)
        #expect(key.authenticationCode(for: body) == mac)
        #expect(key.isValid(mac, for: body))
        for index in mac.indices {
            var altered = mac
            altered[index] ^= 0x01
            #expect(!key.isValid(altered, for: body))
        }
        #expect(!key.isValid(Array(mac.prefix(31)), for: body))
        #expect(!key.isValid(mac + [0], for: body))
        #expect(!key.isValid([], for: body))
        #expect(!HMACSHA256.Key(Array("rotation-secret-2".utf8)).isValid(mac, for: body))
        #expect(!key.isValid(mac, for: body + [0x20]))
    }

    /// Event-loop threads share a route's keys: concurrent MACs with one key all come out right.
    @Test func oneKeySharedByManyThreads() async {
        let secret = Array("whsec_shared_between_loops".utf8)
        let key = HMACSHA256.Key(secret)
        let bodies = (0..<8).map { index in Array("{\"event\":\"kyc.validation_approved\",\"n\":\(index)}".utf8) }
        let expected = bodies.map { HMACSHA256.authenticationCode(for: $0, key: secret) }
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for (body, mac) in zip(bodies, expected) {
                group.addTask {
                    var wrong = 0
                    for _ in 0..<2000 where key.authenticationCode(for: body) != mac { wrong += 1 }
                    return wrong
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }
}
