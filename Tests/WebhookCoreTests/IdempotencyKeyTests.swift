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
            body: Array(
                #"{"webhook_trigger":"updated","submission_id":"s-1","update_time":"2025-03-03 10:00:00"}"#.utf8
            ),
            context: context
        )
        let second = try ArgosDecoder.decode(
            body: Array(
                #"{"webhook_trigger":"updated","submission_id":"s-1","update_time":"2025-03-04 11:30:00"}"#.utf8
            ),
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

    @Test func onlyTypesDocumentedAsOncePerSubjectIgnoreTimeAndBody() {
        let time = "2025-04-01T00:00:00Z"
        for type in [
            "kyc.validation_approved", "kyc.validation_in_review", "biometric.session_created",
            "biometric.session_cancelled", "entity.created", "transaction.created", "argos.created", "argos.submit",
            "argos.aml", "argos.delete",
        ] {
            #expect(IdempotencyKey.isOncePerSubject(type), "\(type)")
            #expect(IdempotencyKey.make(type: type, subjectId: "s", occurredAt: time, body: [1]) == "\(type):s")
        }
        for type in [
            "transaction.status_changed", "risk_analysis_entity_executed", "kyc.validation_updated",
            "kyc.validation_status_changed", "kyc.validation_something_new", "biometric.session_unknown",
            "kyc.other_approved", "entity.updated", "entity.deleted", "rule.triggered", "alert.created",
            "argos.updated", "argos.retry", "argos.future_trigger", "",
        ] {
            #expect(!IdempotencyKey.isOncePerSubject(type), "\(type)")
            #expect(IdempotencyKey.make(type: type, subjectId: "s", occurredAt: time, body: [1]) == "\(type):s@\(time)")
        }
    }

    @Test func previousRuleKeyOnlyWhereTheRulesDiffer() {
        // Keyed `type:subjectId` before, with a discriminator now.
        #expect(
            IdempotencyKey.previousRuleKey(type: "transaction.status_changed", subjectId: "t")
                == "transaction.status_changed:t"
        )
        #expect(
            IdempotencyKey.previousRuleKey(type: "risk_analysis_entity_executed", subjectId: "r")
                == "risk_analysis_entity_executed:r"
        )
        #expect(
            IdempotencyKey.previousRuleKey(type: "argos.future_trigger", subjectId: "s") == "argos.future_trigger:s"
        )
        // The same key under both rules.
        #expect(IdempotencyKey.previousRuleKey(type: "kyc.validation_approved", subjectId: "v") == nil)
        #expect(IdempotencyKey.previousRuleKey(type: "argos.updated", subjectId: "s") == nil)
        #expect(IdempotencyKey.previousRuleKey(type: "rule.triggered", subjectId: "r") == nil)
    }

    @Test func twoStatusChangesOfOneTransactionAreTwoEventsAndTheSameBodyIsOne() throws {
        let context = DecodeContext(route: "/webhooks/gu1", receivedAt: "2026-11-22T10:00:00.000Z")
        let approved = Array(
            #"{"event":"transaction.status_changed","timestamp":"2025-01-07T11:00:00Z","payload":{"id":"tx-1","status":"approved"}}"#
                .utf8
        )
        let rejected = Array(
            #"{"event":"transaction.status_changed","timestamp":"2025-01-07T12:00:00Z","payload":{"id":"tx-1","status":"rejected"}}"#
                .utf8
        )
        let first = try Gu1Decoder.decode(body: approved, context: context)
        let again = try Gu1Decoder.decode(body: approved, context: context)
        let second = try Gu1Decoder.decode(body: rejected, context: context)
        #expect(first.key == "transaction.status_changed:tx-1@2025-01-07T11:00:00Z")
        #expect(first.key == again.key)
        #expect(first.key != second.key)
    }

    @Test func aDotlessUnknownTypeTwiceAtDifferentTimesIsTwoEvents() throws {
        let context = DecodeContext(route: "/webhooks/gu1", receivedAt: "2026-11-22T10:00:00.000Z")
        let a = try Gu1Decoder.decode(
            body: Array(
                #"{"event":"risk_analysis_entity_executed","timestamp":"2025-01-07T11:00:00Z","payload":{"id":"ra-1"}}"#
                    .utf8
            ),
            context: context
        )
        let b = try Gu1Decoder.decode(
            body: Array(
                #"{"event":"risk_analysis_entity_executed","timestamp":"2025-01-08T11:00:00Z","payload":{"id":"ra-1"}}"#
                    .utf8
            ),
            context: context
        )
        #expect(a.key != b.key)
    }

    @Test func approvalRedeliveredWithAnotherTimestampIsOneEvent() throws {
        let context = DecodeContext(route: "/webhooks/gu1", receivedAt: "2026-11-22T10:00:00.000Z")
        let a = try Gu1Decoder.decode(
            body: Array(
                #"{"event":"kyc.validation_approved","timestamp":"2025-01-07T11:00:00Z","payload":{"id":"v-1"}}"#.utf8
            ),
            context: context
        )
        let b = try Gu1Decoder.decode(
            body: Array(
                #"{"event":"kyc.validation_approved","timestamp":"2025-01-07T11:05:00Z","payload":{"id":"v-1"}}"#.utf8
            ),
            context: context
        )
        #expect(a.key == "kyc.validation_approved:v-1")
        #expect(a.key == b.key)
    }
}
