import Testing
import WebhookCore

/// Gu1 bodies of every family decode per docs/reference.md §5; errors name fields, never values.
@Suite struct Gu1DecoderTests {
    static let context = DecodeContext(route: "/webhooks/gu1", receivedAt: "2026-11-22T10:00:00.123Z")

    static func decode(_ text: String) throws(DecodeError) -> WebhookEvent {
        try Gu1Decoder.decode(body: Array(text.utf8), context: context)
    }

    static let eventNameOutcomes: [(String, Outcome)] = [
        ("kyc.validation_approved", .approved),
        ("kyc.validation_in_review", .inReview),
        ("biometric.session_in_progress", .inProgress),
        ("entity.status_changed", .statusChanged),
        ("alert.created", .created),
        ("kyc.validation_", .unknown),
        ("kyc.validation_paused", .unknown),
        ("kyc.approved_validation", .unknown),
        ("approved", .unknown),
        ("kyc.", .unknown),
        ("a.b.session_expired", .expired),
    ]

    /// The last part of the name, as is or after `validation_`/`session_`; anything else is unknown.
    @Test("outcome from the event name", arguments: eventNameOutcomes)
    func outcomeFromEventName(name: String, outcome: Outcome) {
        #expect(Outcome(gu1EventName: name) == outcome)
    }

    /// Every outcome's raw value is read back from an event name ending in it.
    @Test func everyOutcomeIsReadFromItsName() {
        for outcome in Outcome.allCases {
            #expect(Outcome(gu1EventName: "family.\(outcome.rawValue)") == outcome)
        }
    }

    @Test func undocumentedFamilyDecodesWithUnknownOutcome() throws {
        let event = try Self.decode(
            #"{"event":"widget.frobnicated","timestamp":"2025-05-05T05:05:05Z","payload":{"id":"w-1","status":"x"}}"#
        )
        #expect(event.source == "gu1.widget")
        #expect(event.type == "widget.frobnicated")
        #expect(event.outcome == .unknown)
        #expect(event.subjectId == "w-1")
        #expect(event.organizationId == nil)
        #expect(event.status == "x")
        // Not documented as once per subject: keyed with its time, so a second event of it is never a duplicate.
        #expect(event.key == "widget.frobnicated:w-1@2025-05-05T05:05:05Z")
    }

    @Test func undocumentedEventOfAKnownFamilyStillDecodes() throws {
        let event = try Self.decode(#"{"event":"kyc.validation_paused","payload":{"id":"v-9"}}"#)
        #expect(event.source == "gu1.kyc")
        #expect(event.outcome == .unknown)
        #expect(event.occurredAt == nil)
        // An unknown word is not a documented once-per-subject event: no time, so keyed on the body's digest.
        let body = Array(#"{"event":"kyc.validation_paused","payload":{"id":"v-9"}}"#.utf8)
        #expect(event.key == "kyc.validation_paused:v-9@" + IdempotencyKey.bodyDigest(body))
    }

    @Test func familyIdFallbacks() throws {
        let alert = try Self.decode(#"{"event":"alert.created","payload":{"alertId":"al-1","entityId":"e-1"}}"#)
        #expect(alert.subjectId == "al-1")
        #expect(alert.source == "gu1.alert")
        #expect(alert.outcome == .created)
        let transaction = try Self.decode(#"{"event":"transaction.updated","payload":{"transactionId":42}}"#)
        #expect(transaction.subjectId == "42")
        let custom = try Self.decode(#"{"event":"case.deleted","payload":{"caseId":"c-7"}}"#)
        #expect(custom.subjectId == "c-7")
        #expect(custom.outcome == .deleted)
        let preferId = try Self.decode(#"{"event":"rule.triggered","payload":{"id":"r-1","evaluationId":"ev-1"}}"#)
        #expect(preferId.subjectId == "r-1")
    }

    @Test func organizationIdComesFromEnvelopeThenPayload() throws {
        let envelope = try Self.decode(
            #"{"event":"kyc.validation_created","organizationId":"org-a","payload":{"id":"v","organizationId":"org-b"}}"#
        )
        #expect(envelope.organizationId == "org-a")
        let payload = try Self.decode(
            #"{"event":"kyc.validation_created","payload":{"id":"v","organizationId":"org-b"}}"#
        )
        #expect(payload.organizationId == "org-b")
        let none = try Self.decode(#"{"event":"kyc.validation_created","organizationId":null,"payload":{"id":"v"}}"#)
        #expect(none.organizationId == nil)
    }

    @Test func externalIdFallsBackToPayloadOnlyForOtherFamilies() throws {
        let kyc = try Self.decode(#"{"event":"kyc.validation_created","payload":{"id":"v","externalId":"x"}}"#)
        #expect(kyc.externalId == nil)
        let other = try Self.decode(
            #"{"event":"transaction.created","payload":{"transactionId":"t","externalId":"x"}}"#
        )
        #expect(other.externalId == "x")
        let nested = try Self.decode(
            #"{"event":"transaction.created","payload":{"transactionId":"t","externalId":"x","entity":{"externalId":"y"}}}"#
        )
        #expect(nested.externalId == "y")
    }

    @Test func rejectionPrefersMessageAndReadsWarningObjects() throws {
        let event = try Self.decode(
            #"{"event":"kyc.validation_rejected","payload":{"id":"v","rejectionCode":"C1","rejectionMessage":"m","#
                + #""rejectionReason":"r","warnings":["w1",{"message":"w2"},7]}}"#
        )
        #expect(event.rejection == Rejection(code: "C1", reason: "m", warnings: ["w1", "w2"]))
        let approved = try Self.decode(
            #"{"event":"kyc.validation_approved","payload":{"id":"v","rejectionCode":"C1"}}"#
        )
        #expect(approved.rejection == nil)
    }

    @Test func approvalWithATruncatedSurrogatePairStillDecodes() throws {
        let body =
            #"{"event":"kyc.validation_approved","payload":{"id":"v","entity":{"name":"Ana \ud83d","externalId":"c\u00e9"}}}"#
        let event = try Self.decode(body)
        #expect(event.outcome == .approved)
        #expect(event.externalId == "cé")
        #expect(String(decoding: event.payload.bytes, as: UTF8.self).contains(#""Ana \ud83d""#))
    }

    @Test func timestampIsNormalizedToUTC() throws {
        let event = try Self.decode(
            #"{"event":"entity.updated","timestamp":"2025-01-08T10:00:00+01:00","payload":{"entity":{"id":"e"}}}"#
        )
        #expect(event.occurredAt == "2025-01-08T09:00:00Z")
        #expect(event.key == "entity.updated:e@2025-01-08T09:00:00Z")
    }

    static let invalidBodies: [(String, String)] = [
        (#"{"timestamp":"t","payload":{"id":"v"}}"#, "missing `event`"),
        (#"{"event":12345,"payload":{"id":"v"}}"#, "`event` is not a string"),
        (#"{"event":"","payload":{"id":"v"}}"#, "`event` is empty"),
        (#"{"event":"kyc.validation_created"}"#, "missing `payload`"),
        (#"{"event":"kyc.validation_created","payload":"v"}"#, "`payload` is not an object"),
        (
            #"{"event":"kyc.validation_created","payload":{"entityId":"e"}}"#,
            "missing `payload.id` (or `payload.validationId`)"
        ),
        (#"{"event":"biometric.session_created","payload":{"validationId":"e"}}"#, "missing `payload.id`"),
        (#"{"event":"rule.triggered","payload":{"ruleId":"e"}}"#, "missing `payload.id` (or `payload.evaluationId`)"),
        (#"{"event":"entity.created","payload":{"entity":{}}}"#, "missing `payload.id` (or `payload.entity.id`)"),
        (
            #"{"event":"kyc.validation_created","payload":{"id":""}}"#,
            "missing `payload.id` (or `payload.validationId`)"
        ),
        (#"{"event":"a","event":"b","payload":{"id":"v"}}"#, "duplicate member `event`"),
        (#"{"event":"kyc.validation_created","payload":{"id":"v","id":"w"}}"#, "duplicate member `payload.id`"),
        (#"["event"]"#, "body is not a JSON object"),
    ]

    @Test("refuses with a detail naming the field", arguments: invalidBodies)
    func refusesNamingTheField(body: String, detail: String) {
        #expect(throws: DecodeError(detail)) { try Self.decode(body) }
    }

    static let distinctiveValues: [String] = [
        #"{"event":{"name":"SECRET-VALUE-42"},"payload":{"id":"v"}}"#,
        #"{"event":"kyc.validation_created","payload":{"id":{"x":"SECRET-VALUE-42"}}}"#,
        #"{"event":"kyc.validation_created","payload":["SECRET-VALUE-42"]}"#,
        #"{"event":"kyc.validation_created","payload":{"id":"SECRET-VALUE-42"},}"#,
        #"{"event":"kyc.validation_created","payload":{"id":"SECRET-VALUE-42\x"}}"#,
        #"{"event":"SECRET-VALUE-42","payload":{"name":"SECRET-VALUE-42"}}"#,
        "{\"event\":\"kyc.validation_created\",\"payload\":{\"id\":\"SECRET-VALUE-42\u{01}\"}}",
    ]

    @Test("error descriptions carry no body values", arguments: distinctiveValues)
    func errorsNeverContainBodyValues(body: String) {
        do {
            _ = try Self.decode(body)
            Issue.record("expected a decode error")
        } catch {
            #expect(!error.description.contains("SECRET"))
            #expect(!error.detail.isEmpty)
        }
    }
}
