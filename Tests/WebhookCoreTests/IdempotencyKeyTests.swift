import Testing
import WebhookCore
import WebhookTesting

/// Keys identify the event, not the delivery: one event has one key, distinct events of repeatable types differ.
@Suite struct IdempotencyKeyTests {
    @Test func sameBiometricEventWithDifferentDeliveryIdsHasOneKey() throws {
        let body = try Fixtures.load("gu1-biometric/approved.json").body
        let organization = try Gu1Decoder.decode(
            body: body,
            context: DecodeContext(route: "/webhooks/gu1", receivedAt: "2026-11-22T10:00:00.000Z", deliveryId: nil)
        )
        let perRequest = try Gu1Decoder.decode(
            body: body,
            context: DecodeContext(route: "/webhooks/gu1", receivedAt: "2026-11-22T10:00:01.000Z", deliveryId: "wh-42")
        )
        #expect(organization.key == perRequest.key)
        #expect(organization.key == "biometric.session_approved:bio-session-uuid")
        #expect(perRequest.deliveryId == "wh-42")
    }

    @Test func twoArgosUpdatesOfOneSubmissionAtDifferentTimesHaveDifferentKeys() throws {
        let context = DecodeContext(route: "/webhooks/argos", receivedAt: "2026-11-22T10:00:00.000Z")
        let first = try ArgosDecoder.decode(
            body: Array(#"{"webhook_trigger":"updated","submission_id":"s-1","update_time":"2025-03-03 10:00:00"}"#.utf8),
            context: context
        )
        let second = try ArgosDecoder.decode(
            body: Array(#"{"webhook_trigger":"updated","submission_id":"s-1","update_time":"2025-03-04 11:30:00"}"#.utf8),
            context: context
        )
        #expect(first.key == "argos.updated:s-1@2025-03-03T10:00:00Z")
        #expect(second.key == "argos.updated:s-1@2025-03-04T11:30:00Z")
    }

    @Test func repeatableTypeWithoutTimeKeysOnTheBodyHash() throws {
        let context = DecodeContext(route: "/webhooks/argos", receivedAt: "2026-11-22T10:00:00.000Z")
        let bodyA = Array(#"{"webhook_trigger":"retry","submission_id":"s-1","attempts":1}"#.utf8)
        let bodyB = Array(#"{"webhook_trigger":"retry","submission_id":"s-1","attempts":2}"#.utf8)
        let a = try ArgosDecoder.decode(body: bodyA, context: context)
        let again = try ArgosDecoder.decode(body: bodyA, context: context)
        let b = try ArgosDecoder.decode(body: bodyB, context: context)
        #expect(a.key == "argos.retry:s-1@" + IdempotencyKey.bodyDigest(bodyA))
        #expect(a.key == again.key)
        #expect(a.key != b.key)
        // The documented example: first 16 hex digits of `sha256sum argos/aml_monitor.json`.
        #expect(IdempotencyKey.bodyDigest(try Fixtures.load("argos/aml_monitor.json").body) == "e921acefd06b5dfc")
    }

    @Test func nonRepeatableTypesIgnoreTimeAndBody() {
        #expect(IdempotencyKey.make(type: "argos.delete", subjectId: "s", occurredAt: "2025-04-01T00:00:00Z", body: [1]) == "argos.delete:s")
        #expect(IdempotencyKey.make(type: "kyc.validation_approved", subjectId: "v", occurredAt: nil, body: [1]) == "kyc.validation_approved:v")
        #expect(IdempotencyKey.make(type: "rule.triggered", subjectId: "r", occurredAt: "T", body: [1]) == "rule.triggered:r@T")
        #expect(IdempotencyKey.isRepeatable("transaction.updated"))
        #expect(!IdempotencyKey.isRepeatable("transaction.created"))
    }
}
