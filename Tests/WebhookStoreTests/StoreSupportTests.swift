import Foundation
import Testing

@testable import WebhookStore

@Suite struct PayloadRedactionTests {
    @Test(
        "replaces only the top-level payload value",
        arguments: [
            (
                #"{"key":"k","payload":{"name":"x","n":[1,{"a":"}"}]},"route":"/r"}"#,
                #"{"key":"k","payload":null,"route":"/r"}"#
            ),
            (#"{ "payload" : "a\"b" , "x":1}"#, #"{ "payload" : null , "x":1}"#),
            (#"{"a":{"payload":1},"payload":[1,2]}"#, #"{"a":{"payload":1},"payload":null}"#),
            (#"{"payload":12.5e3}"#, #"{"payload":null}"#),
            (#"{"key":"k"}"#, #"{"key":"k"}"#),
            ("{}", "{}"),
        ]
    )
    func redacts(input: String, expected: String) throws {
        let output = try #require(PayloadRedaction.redactingPayload(Array(input.utf8)))
        #expect(String(decoding: output, as: UTF8.self) == expected)
    }

    @Test("refuses what is not a JSON object", arguments: ["[]", "", #"{"payload":"#, #"{"payload":{"a":1}"#, "null"])
    func refusesNonObjects(input: String) {
        #expect(PayloadRedaction.redactingPayload(Array(input.utf8)) == nil)
    }
}

@Suite struct TypePatternTests {
    @Test(
        "matches exact types and * globs",
        arguments: [
            ("kyc.*", "kyc.validation_approved", true),
            ("kyc.*", "biometric.session_approved", false),
            ("*approved", "biometric.session_approved", true),
            ("*", "", true),
            ("kyc.validation_approved", "kyc.validation_approved", true),
            ("kyc.validation_approved", "kyc.validation_approvedX", false),
            ("a*b*c", "axxbyyc", true),
            ("a*b*c", "axxbyy", false),
            ("kyc.?", "kyc.a", false),
        ]
    )
    func matches(pattern: String, type: String, expected: Bool) {
        #expect(TypePattern(pattern).matches(type) == expected)
    }

    @Test func escapesSQLiteGlobSpecials() {
        #expect(TypePattern("a?[b]*").sqliteGlob == "a[?][[]b]*")
    }
}

@Suite struct StoreTimeTests {
    @Test(
        "parses the receiver's ISO 8601 times",
        arguments: [
            ("1970-01-01T00:00:00Z", Int64(0)),
            ("2025-03-02T08:01:00.000Z", Int64(1_740_902_460_000)),
            ("2025-03-02T08:01:00.5Z", Int64(1_740_902_460_500)),
            ("2025-03-02T08:01:00.123456Z", Int64(1_740_902_460_123)),
            ("2025-03-02T08:01:00+00:00", Int64(1_740_902_460_000)),
            ("2024-02-29T23:59:59Z", Int64(1_709_251_199_000)),
        ]
    )
    func parses(text: String, milliseconds: Int64) {
        #expect(StoreTime.parseMilliseconds(iso8601: text) == milliseconds)
    }

    @Test(
        "refuses other texts",
        arguments: ["", "yesterday", "2025-13-01T00:00:00Z", "2025-03-02T08:01:00.Z", "2025-03-02T08:01:00+02:00"]
    )
    func refuses(text: String) {
        #expect(StoreTime.parseMilliseconds(iso8601: text) == nil)
    }

    @Test func agreesWithFoundation() {
        let date = Date(timeIntervalSince1970: 1_750_123_456.789)
        #expect(StoreTime.parseMilliseconds(iso8601: TestTime.isoString(date)) == StoreTime.milliseconds(date))
    }

    /// The person bucket is stored in every SQLite store (`event_people`): it must never change. FNV-1a over
    /// the UTF-8 bytes, modulo 8, as the bench's populator computes it too.
    @Test(arguments: [("", Int64(5)), ("cust-0000042", 1), ("customer_xyz789", 1), ("Zoë", 4)])
    func personBucketsNeverChange(value: String, bucket: Int64) {
        #expect(PersonBucket.of(value) == bucket)
    }
}
