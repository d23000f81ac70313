import Testing
import WebhookCore
import WebhookCrypto
import WebhookTesting

/// ARGOS bodies: every trigger, documented variants, undocumented triggers, the encrypted envelope.
@Suite struct ArgosDecoderTests {
    static let context = DecodeContext(route: "/webhooks/argos", receivedAt: "2026-11-22T10:00:00.123Z")

    static func decode(_ text: String) throws(DecodeError) -> WebhookEvent {
        try ArgosDecoder.decode(body: Array(text.utf8), context: context)
    }

    static let triggers: [(String, Outcome)] = [
        ("created", .created), ("retry", .retried), ("submit", .submitted), ("approved", .approved),
        ("rejected", .rejected), ("updated", .updated), ("delete", .deleted), ("injection", .injectionDetected),
        ("aml", .amlScreened), ("aml_monitor", .amlMonitored), ("kyc_paused", .unknown),
    ]

    @Test("maps the trigger to type and outcome", arguments: triggers)
    func mapsTrigger(trigger: String, outcome: Outcome) throws {
        let event = try Self.decode(#"{"webhook_trigger":"\#(trigger)","submission_id":"s-1","userid":"u-1"}"#)
        #expect(event.type == "argos.\(trigger)")
        #expect(event.source == "argos")
        #expect(event.outcome == outcome)
        #expect(event.subjectId == "s-1")
        #expect(event.externalId == "u-1")
        #expect(event.entityId == nil)
        #expect(event.organizationId == nil)
    }

    @Test func unknownTriggerHasNoTimeAndIsKeyedOnItsBody() throws {
        let body = #"{"webhook_trigger":"kyc_paused","submission_id":"s-1","created_at":"2025-03-02 08:00:01"}"#
        let event = try Self.decode(body)
        #expect(event.occurredAt == nil)
        #expect(event.key == "argos.kyc_paused:s-1@" + IdempotencyKey.bodyDigest(Array(body.utf8)))
    }

    @Test func documentedVariantsDecode() throws {
        let misspelled = try Self.decode(
            #"{"webhook_trigger":"approved","submission_id":"s","#
                + #""kyc_result":{"status":"approved","update_at":"2025-03-02 08:05:00"},"#
                + #""full_name":"x","additional_list":{"a":1},"cf1":"c"}"#
        )
        #expect(misspelled.occurredAt == "2025-03-02T08:05:00Z")
        #expect(misspelled.key == "argos.approved:s@2025-03-02T08:05:00Z")
        let nestedCreated = try Self.decode(
            #"{"webhook_trigger":"submit","submission_id":"s","kyc_result":{"created_at":"2025-03-02T08:00:01+09:00"}}"#
        )
        #expect(nestedCreated.occurredAt == "2025-03-01T23:00:01Z")
        let numericId = try Self.decode(#"{"webhook_trigger":"created","submission_id":12345}"#)
        #expect(numericId.subjectId == "12345")
    }

    @Test func unparseableTimeFallsBackToBodyHash() throws {
        let first = try Self.decode(#"{"webhook_trigger":"updated","submission_id":"s","update_time":"yesterday"}"#)
        #expect(first.occurredAt == nil)
        #expect(first.key.hasPrefix("argos.updated:s@"))
        #expect(first.key.count == "argos.updated:s@".count + 16)
    }

    static let invalidBodies: [(String, String)] = [
        (#"{"submission_id":"s"}"#, "missing `webhook_trigger`"),
        (#"{"webhook_trigger":1,"submission_id":"s"}"#, "`webhook_trigger` is not a string"),
        (#"{"webhook_trigger":"approved"}"#, "missing `submission_id`"),
        (#"{"webhook_trigger":"approved","submission_id":null}"#, "missing `submission_id`"),
        (#"{"webhook_trigger":"approved","submission_id":{"id":"SECRET"}}"#, "missing `submission_id`"),
        (#""approved""#, "body is not a JSON object"),
    ]

    @Test("refuses with a detail naming the field", arguments: invalidBodies)
    func refusesNamingTheField(body: String, detail: String) {
        #expect(throws: DecodeError(detail)) { try Self.decode(body) }
    }

    @Test func recognisesOnlyTheExactEncryptedEnvelope() throws {
        #expect(ArgosDecoder.encryptedData(in: Array(#"{"data": "abc="}"#.utf8)) == "abc=")
        #expect(ArgosDecoder.encryptedData(in: Array(#" { "data" : "" } "#.utf8)) == "")
        #expect(ArgosDecoder.encryptedData(in: Array(#"{"data":"abc","x":1}"#.utf8)) == nil)
        #expect(ArgosDecoder.encryptedData(in: Array(#"{"data":{"update":[]}}"#.utf8)) == nil)
        #expect(ArgosDecoder.encryptedData(in: Array(#"{"Data":"abc"}"#.utf8)) == nil)
        #expect(ArgosDecoder.encryptedData(in: Array(#"["abc"]"#.utf8)) == nil)
        #expect(ArgosDecoder.encryptedData(in: Array(#"{"data":"abc"#.utf8)) == nil)
        let updated = try Fixtures.load("argos/updated.json")
        #expect(ArgosDecoder.encryptedData(in: updated.body) == nil)
    }

    @Test func wrongKeyOrBadBase64IsADecodeError() throws {
        let fixture = try Fixtures.load("argos-encrypted/approved.json")
        let data = try #require(ArgosDecoder.encryptedData(in: fixture.body))
        #expect(throws: DecodeError.self) {
            let plaintext = try ArgosDecoder.decrypt(data, key: ArgosDecoder.decryptionKey(apiKey: "wrong-key"))
            _ = try ArgosDecoder.decode(body: plaintext, context: Self.context)
        }
        #expect(throws: DecodeError("`data` is neither base64 nor hex")) {
            try ArgosDecoder.decrypt("not base64!", key: ArgosDecoder.decryptionKey(apiKey: "k"))
        }
    }

    /// The vendor's hex form of the ciphertext decrypts like the base64 one.
    @Test func hexCiphertextIsAcceptedAsAFallback() throws {
        let fixture = try Fixtures.load("argos-encrypted/approved.json")
        let data = try #require(ArgosDecoder.encryptedData(in: fixture.body))
        let key = ArgosDecoder.decryptionKey(apiKey: "argos-test-api-key")
        let hex = Hex.encode(try #require(Base64.decode(data)))
        #expect(try ArgosDecoder.decrypt(hex, key: key) == ArgosDecoder.decrypt(data, key: key))
    }
}
