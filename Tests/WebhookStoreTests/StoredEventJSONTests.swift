import Foundation
import Testing
import WebhookCore

@testable import WebhookStore

/// The event JSON is stored without a second copy of a payload the raw body already holds, and always comes
/// back byte for byte.
@Suite struct StoredEventJSONTests {
    /// A Gu1-shaped event as the receiver writes it, and the compact or pretty-printed body it came from.
    private static func event(payload: String, body: String? = nil) -> (json: [UInt8], raw: [UInt8]) {
        let event = WebhookEvent(
            key: "kyc.validation_approved:val-1",
            source: "gu1.kyc",
            type: "kyc.validation_approved",
            outcome: .approved,
            subjectId: "val-1",
            receivedAt: "2026-11-22T10:00:00.123Z",
            deliveryId: "msg-1",
            route: "/webhooks/gu1",
            payload: RawJSON(bytes: Array(payload.utf8))
        )
        let raw =
            body ?? #"{"event":"kyc.validation_approved","payload":\#(payload),"timestamp":"2026-11-22T10:00:00Z"}"#
        return (event.jsonBytes(), Array(raw.utf8))
    }

    private static func roundTrip(_ json: [UInt8], _ raw: [UInt8]) -> (StoredEventJSON.Split, [UInt8]?) {
        let split = StoredEventJSON.split(eventJSON: json, rawBody: raw)
        let rebuilt = StoredEventJSON.assemble(
            stored: Array(split.stored),
            rawBody: raw,
            payloadStart: split.payloadInRawBody.map { Int64($0.lowerBound) },
            payloadEnd: split.payloadInRawBody.map { Int64($0.upperBound) }
        )
        return (split, rebuilt)
    }

    @Test func compactBodyStoresOnlyTheHead() throws {
        let payload = #"{"id":"val-1","status":"approved","entity":{"id":"ent-1"}}"#
        let (json, raw) = Self.event(payload: payload)
        let (split, rebuilt) = Self.roundTrip(json, raw)
        let range = try #require(split.payloadInRawBody)
        #expect(Array(raw[range]) == Array(payload.utf8))
        #expect(split.stored.count == json.count - payload.utf8.count - 1)
        #expect(!String(decoding: split.stored, as: UTF8.self).contains("approved\",\"entity"))
        #expect(rebuilt == json)
    }

    @Test func prettyPrintedBodyKeepsTheWholeJSON() {
        let payload = #"{"id":"val-1","status":"approved"}"#
        let body =
            "{\n  \"event\": \"kyc.validation_approved\",\n  \"payload\": {\"id\": \"val-1\", \"status\": \"approved\"}\n}"
        let (json, raw) = Self.event(payload: payload, body: body)
        let (split, rebuilt) = Self.roundTrip(json, raw)
        #expect(split.payloadInRawBody == nil)
        #expect(Array(split.stored) == json)
        #expect(rebuilt == json)
    }

    @Test func bodyWithoutThePayloadKeepsTheWholeJSON() {
        // ARGOS: the raw body is ciphertext, the payload its decryption.
        let (json, raw) = Self.event(payload: #"{"submission_id":"s-1"}"#, body: "q83vEjRWeJA=")
        let (split, rebuilt) = Self.roundTrip(json, raw)
        #expect(split.payloadInRawBody == nil)
        #expect(rebuilt == json)
    }

    @Test func aPayloadHoldingAPayloadMemberStillRoundTrips() {
        let payload = #"{"id":"val-1","data":{"payload":{"x":1}},"note":",\"payload\":"}"#
        let (json, raw) = Self.event(payload: payload)
        let (split, rebuilt) = Self.roundTrip(json, raw)
        #expect(split.payloadInRawBody != nil)
        #expect(rebuilt == json)
    }

    @Test func jsonNotEndingInABraceIsKeptWhole() {
        let json = Array(#"{"key":"k","payload":{"id":"val-1"}} "#.utf8)
        let raw = Array(#"{"payload":{"id":"val-1"}}"#.utf8)
        #expect(StoredEventJSON.split(eventJSON: json, rawBody: raw).payloadInRawBody == nil)
    }

    @Test func missingOrShortRawBodyCannotBeAssembled() {
        let head = Array(#"{"key":"k","payload":"#.utf8)
        #expect(StoredEventJSON.assemble(stored: head, rawBody: nil, payloadStart: 0, payloadEnd: 4) == nil)
        #expect(StoredEventJSON.assemble(stored: head, rawBody: [1, 2], payloadStart: 0, payloadEnd: 4) == nil)
        #expect(StoredEventJSON.assemble(stored: head, rawBody: nil, payloadStart: nil, payloadEnd: nil) == head)
    }

    /// A stale event keeps the receiver's bytes but the flag, written `true ` (same length), before the split.
    @Test func markStaleRewritesOnlyTheFlagBeforeThePayload() throws {
        let payload = #"{"id":"val-1","stale":false,"note":",\"stale\":false"}"#
        var json = Array(#"{"key":"k","rejection":null,"stale":false,"payload":\#(payload)}"#.utf8)
        #expect(StoredEventJSON.markStale(&json))
        #expect(
            String(decoding: json, as: UTF8.self)
                == #"{"key":"k","rejection":null,"stale":true ,"payload":\#(payload)}"#
        )
        #expect(try JSONSerialization.jsonObject(with: Data(json)) as? NSDictionary != nil)
        // Already marked, or without the member where the receiver writes it: nothing changes.
        let marked = json
        #expect(!StoredEventJSON.markStale(&json))
        #expect(json == marked)
        var old = Array(#"{"key":"k","payload":{"stale":false}}"#.utf8)
        #expect(!StoredEventJSON.markStale(&old))
        #expect(old == Array(#"{"key":"k","payload":{"stale":false}}"#.utf8))
    }

    @Test func occurredAtIsReadFromTheTopLevelMemberOfAHeadOrAWholeJSON() {
        let timed = Array(#"{"key":"k","occurredAt":"2025-01-07T11:00:00.5Z","receivedAt":"x","payload":"#.utf8)
        #expect(StoredEventJSON.occurredAt(in: timed) == "2025-01-07T11:00:00.5Z")
        let untimed = Array(
            #"{"key":"k","occurredAt":null,"payload":{"a":{"occurredAt":"2025-01-07T11:00:00Z"}}}"#.utf8
        )
        #expect(StoredEventJSON.occurredAt(in: untimed) == nil)
        #expect(StoredEventJSON.occurredAt(in: Array(#"{"key":"k","payload":{}}"#.utf8)) == nil)
        #expect(StoredEventJSON.occurredAt(in: Array(#"{"key":"k","occurredAt":"2025"#.utf8)) == nil)
    }
}
