import Foundation
import Testing
import WebhookCore
import WebhookTesting

/// Every fixture body decodes to exactly the fields `expected.json` gives for it.
@Suite struct FixtureDecodingTests {
    static let context = DecodeContext(
        route: "/webhooks/test",
        receivedAt: "2026-11-22T10:00:00.123Z",
        deliveryId: "d-1"
    )

    /// Decodes a fixture the way the receive pipeline does: Gu1 as is, ARGOS decrypted first when encrypted.
    static func decode(_ fixture: Fixture) throws -> (event: WebhookEvent, plaintext: [UInt8]) {
        if fixture.sender == "gu1" {
            return (try Gu1Decoder.decode(body: fixture.body, context: context), fixture.body)
        }
        var plaintext = fixture.body
        if let data = ArgosDecoder.encryptedData(in: fixture.body) {
            let apiKey = try #require(fixture.expected.apiKey, "an encrypted fixture names its apiKey")
            plaintext = try ArgosDecoder.decrypt(data, key: ArgosDecoder.decryptionKey(apiKey: apiKey))
        }
        return (try ArgosDecoder.decode(body: plaintext, context: context), plaintext)
    }

    @Test func everyFixtureFileIsListedInExpected() throws {
        let onDisk = try Fixtures.filesOnDisk().filter { $0 != "expected.json" }
        #expect(onDisk == Fixtures.names)
        #expect(try Fixtures.all().count == 38)
    }

    @Test("decodes to expected.json", arguments: Fixtures.names)
    func decodesToExpectedFields(name: String) throws {
        let fixture = try Fixtures.load(name)
        let expected = fixture.expected
        let (event, plaintext) = try Self.decode(fixture)

        #expect(event.source == expected.source)
        #expect(event.type == expected.type)
        #expect(event.outcome.rawValue == expected.outcome)
        #expect(event.subjectId == expected.subjectId)
        #expect(event.entityId == expected.entityId)
        #expect(event.externalId == expected.externalId)
        #expect(event.organizationId == expected.organizationId)
        #expect(event.occurredAt == expected.occurredAt)
        #expect(event.key == expected.idempotencyKey)
        if let code = expected.rejectionCode {
            #expect(event.rejection?.code == code)
        }
        #expect((event.rejection != nil) == (event.outcome == .rejected))
        #expect(event.receivedAt == Self.context.receivedAt)
        #expect(event.route == Self.context.route)
        #expect(event.deliveryId == Self.context.deliveryId)

        let object = try JSONSerialization.jsonObject(with: Data(plaintext)) as? NSDictionary
        if fixture.sender == "gu1" {
            // The payload is a contiguous slice of the body that parses to the body's `payload` object.
            let payload = event.payload.bytes
            #expect(payload.first == UInt8(ascii: "{") && payload.last == UInt8(ascii: "}"))
            #expect(fixture.body.firstRange(of: payload) != nil)
            let parsed = try JSONSerialization.jsonObject(with: Data(payload)) as? NSDictionary
            #expect(parsed == object?["payload"] as? NSDictionary)
            #expect(event.status == (object?["payload"] as? NSDictionary)?["status"] as? String)
        } else {
            #expect(event.payload.bytes == plaintext)
        }
    }

    @Test func encryptedFixturesDecryptToTheirPlainCounterparts() throws {
        for trigger in ["approved", "rejected", "delete"] {
            let encrypted = try Self.decode(Fixtures.load("argos-encrypted/\(trigger).json")).event
            let plain = try Self.decode(Fixtures.load("argos/\(trigger).json")).event
            #expect(encrypted.key == plain.key)
            #expect(encrypted.status == plain.status)
            #expect(encrypted.rejection == plain.rejection)
        }
    }

    @Test func gu1RejectionCarriesCodeReasonAndWarnings() throws {
        let kyc = try Self.decode(Fixtures.load("gu1-kyc/rejected.json")).event
        #expect(
            kyc.rejection
                == Rejection(
                    code: nil,
                    reason: "Document authenticity could not be verified",
                    warnings: [
                        "Document authenticity check failed", "Face match confidence low", "Liveness detection failed",
                    ]
                )
        )
        let biometric = try Self.decode(Fixtures.load("gu1-biometric/rejected.json")).event
        #expect(biometric.rejection?.code == "FACE_MATCH_SCORE_LOW")
        #expect(biometric.rejection?.reason == "Face match score 28.5 is below organization threshold 30")
        #expect(biometric.rejection?.warnings == [])
        let argos = try Self.decode(Fixtures.load("argos/rejected.json")).event
        #expect(argos.rejection == Rejection(code: "R01", reason: "Blurry document image", warnings: []))
        #expect(argos.status == "rejected")
    }

    @Test func argosStatusFallsBackToKycStatus() throws {
        #expect(try Self.decode(Fixtures.load("argos/injection.json")).event.status == "approved")
        #expect(try Self.decode(Fixtures.load("argos/created.json")).event.status == "incomplete")
        #expect(try Self.decode(Fixtures.load("argos/delete.json")).event.status == nil)
    }
}
