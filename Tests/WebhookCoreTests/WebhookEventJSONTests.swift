import Foundation
import Testing
import WebhookCore
import WebhookTesting

/// The event JSON handlers receive: docs/reference.md §5's keys in order, proper escaping, one line, and a lossless reverse.
@Suite struct WebhookEventJSONTests {
    static let sample = WebhookEvent(
        key: "kyc.validation_rejected:v-1",
        source: "gu1.kyc",
        type: "kyc.validation_rejected",
        outcome: .rejected,
        subjectId: "v-1",
        entityId: "e-1",
        externalId: nil,
        organizationId: "org-1",
        status: "rejected",
        occurredAt: "2025-01-07T11:00:00Z",
        receivedAt: "2026-11-22T10:00:00.123Z",
        deliveryId: nil,
        route: "/webhooks/gu1",
        rejection: Rejection(code: nil, reason: "bad \"doc\"", warnings: ["w1", "w\n2"]),
        payload: RawJSON(bytes: Array(#"{ "id" : "v-1",  "note": "a b\n" }"#.utf8))
    )

    @Test func writesSpecKeysInOrderWithNullsAndCompactPayload() {
        let json = String(decoding: Self.sample.jsonBytes(), as: UTF8.self)
        let expected =
            #"{"key":"kyc.validation_rejected:v-1","source":"gu1.kyc","type":"kyc.validation_rejected","#
            + #""outcome":"rejected","subjectId":"v-1","entityId":"e-1","externalId":null,"organizationId":"org-1","#
            + #""status":"rejected","occurredAt":"2025-01-07T11:00:00Z","receivedAt":"2026-11-22T10:00:00.123Z","#
            + #""deliveryId":null,"route":"/webhooks/gu1","#
            + #""rejection":{"code":null,"reason":"bad \"doc\"","warnings":["w1","w\n2"]},"#
            + #""stale":false,"payload":{"id":"v-1","note":"a b\n"}}"#
        #expect(json == expected)
    }

    @Test func escapesControlCharactersAndQuotes() throws {
        var event = Self.sample
        event.status = "a\"b\\c\u{01}\u{1F}\t\r\u{08}\u{0C}é😀"
        let bytes = event.jsonBytes()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object["status"] as? String == event.status)
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""a\"b\\c\u0001\u001f\t\r\b\fé😀""#))
    }

    @Test("every fixture's event JSON is one line, parses, and round-trips", arguments: Fixtures.names)
    func roundTrips(name: String) throws {
        let (event, _) = try FixtureDecodingTests.decode(Fixtures.load(name))
        let bytes = event.jsonBytes()
        #expect(!bytes.contains(0x0A))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(object.count == 16)
        let originalPayload = try JSONSerialization.jsonObject(with: Data(event.payload.bytes)) as? NSDictionary
        #expect((object["payload"] as? NSDictionary) == originalPayload)

        let rebuilt = try WebhookEvent(json: bytes)
        #expect(rebuilt.jsonBytes() == bytes)
        var expected = event
        expected.payload = rebuilt.payload
        #expect(rebuilt == expected)
        // The rebuilt payload is the original with only insignificant whitespace removed.
        #expect(rebuilt.payload.bytes.count <= event.payload.bytes.count)
        #expect(try JSONSerialization.jsonObject(with: Data(rebuilt.payload.bytes)) as? NSDictionary == originalPayload)
    }

    @Test func payloadLosesOnlyWhitespaceBetweenTokens() throws {
        var event = Self.sample
        event.payload = RawJSON(bytes: Array("{ \"a\" :\t\"x\\\" y\\\\\" ,\r\n \"b\" : [ 1 , \"\\\\\" ] }\n".utf8))
        let json = String(decoding: event.jsonBytes(), as: UTF8.self)
        #expect(json.hasSuffix(#","payload":{"a":"x\" y\\","b":[1,"\\"]}}"#))
    }

    @Test func compactPayloadRoundTripsByteForByte() throws {
        var event = Self.sample
        event.payload = RawJSON(bytes: Array(#"{"id":"v-1","n":[1,2.5e3,true,null],"s":"x y"}"#.utf8))
        event.rejection = nil
        event.deliveryId = "d-7"
        let rebuilt = try WebhookEvent(json: event.jsonBytes())
        #expect(rebuilt == event)
    }

    @Test func readingRefusesIncompleteEventJSON() {
        #expect(throws: DecodeError.self) { try WebhookEvent(json: Array(#"{"key":"k"}"#.utf8)) }
        var json = String(decoding: Self.sample.jsonBytes(), as: UTF8.self)
        json = json.replacingOccurrences(of: #""outcome":"rejected""#, with: #""outcome":"nope""#)
        #expect(throws: DecodeError("event JSON: `outcome` is not in the vocabulary")) {
            try WebhookEvent(json: Array(json.utf8))
        }
    }

    /// `stale` sits after `rejection` and before `payload` (docs/reference.md §5), and reads back.
    @Test func staleIsWrittenBeforeThePayloadAndReadBack() throws {
        var event = Self.sample
        let fresh = String(decoding: event.jsonBytes(), as: UTF8.self)
        #expect(fresh.contains(#","stale":false,"payload":"#))
        #expect(try WebhookEvent(json: event.jsonBytes()).stale == false)
        event.stale = true
        #expect(String(decoding: event.jsonBytes(), as: UTF8.self).contains(#","stale":true,"payload":"#))
        #expect(try WebhookEvent(json: event.jsonBytes()).stale == true)
        // The store marks a stale event in place, `true` plus a space: still valid JSON.
        let patched = fresh.replacingOccurrences(of: #""stale":false"#, with: #""stale":true "#)
        #expect(try WebhookEvent(json: Array(patched.utf8)).stale == true)
        // Events recorded before the member existed read as not stale.
        let old = fresh.replacingOccurrences(of: #","stale":false"#, with: "")
        #expect(try WebhookEvent(json: Array(old.utf8)).stale == false)
        let wrong = fresh.replacingOccurrences(of: #""stale":false"#, with: #""stale":"no""#)
        #expect(throws: DecodeError.self) { try WebhookEvent(json: Array(wrong.utf8)) }
    }
}
