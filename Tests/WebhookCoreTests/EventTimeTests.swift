import Testing
import WebhookCore

/// Sender times become ISO 8601 UTC with any fraction kept.
@Suite struct EventTimeTests {
    static let cases: [(String, String?)] = [
        ("2025-03-02 08:05:00", "2025-03-02T08:05:00Z"),
        ("2025-03-02T08:05:00Z", "2025-03-02T08:05:00Z"),
        ("2025-03-02T08:05:00", "2025-03-02T08:05:00Z"),
        ("2025-03-02t08:05:00z", "2025-03-02T08:05:00Z"),
        ("2025-01-07T10:00:00.000Z", "2025-01-07T10:00:00.000Z"),
        ("2025-01-07T10:00:00.123456Z", "2025-01-07T10:00:00.123456Z"),
        ("2025-03-02-08-01-00-000", "2025-03-02T08:01:00.000Z"),
        ("2025-03-02-08-01-00-123", "2025-03-02T08:01:00.123Z"),
        ("2025-03-02-08-01-00", "2025-03-02T08:01:00Z"),
        ("2025-03-02T09:05:00+01:00", "2025-03-02T08:05:00Z"),
        ("2025-03-02T09:05:00.5+0100", "2025-03-02T08:05:00.5Z"),
        ("2025-03-02T01:30:00-02", "2025-03-02T03:30:00Z"),
        ("2025-01-01T00:30:00+01:00", "2024-12-31T23:30:00Z"),
        ("2024-12-31T23:30:00-01:00", "2025-01-01T00:30:00Z"),
        ("2024-02-29T23:00:00-01:00", "2024-03-01T00:00:00Z"),
        ("2024-03-01T00:15:00+00:30", "2024-02-29T23:45:00Z"),
        ("2025-03-02 08:05:00.25", "2025-03-02T08:05:00.25Z"),
        ("2025-02-29T00:00:00Z", nil),
        ("2025-13-01T00:00:00Z", nil),
        ("2025-03-02T24:00:00Z", nil),
        ("2025-03-02T23:60:00Z", nil),
        ("2025-03-02", nil),
        ("2025-03-02T08:05", nil),
        ("2025-03-02T08:05:00Zjunk", nil),
        ("2025-03-02T08:05:00.Z", nil),
        ("2025-03-02T08:05:00+25:00", nil),
        ("2025-03-02-08-01-00-000Z", nil),
        ("2025-03-02-08:01:00", nil),
        ("not a time at all!!", nil),
        ("", nil),
    ]

    @Test("normalizes", arguments: cases)
    func normalizes(text: String, expected: String?) {
        #expect(EventTime.normalize(text) == expected)
    }

    /// Instants, not text: `11:00:00Z` is before `11:00:00.500Z` though it sorts after it lexically.
    @Test func millisecondsCompareInstantsWithAndWithoutFractions() throws {
        let whole = try #require(EventTime.milliseconds("2025-01-07T11:00:00Z"))
        let half = try #require(EventTime.milliseconds("2025-01-07T11:00:00.500Z"))
        #expect("2025-01-07T11:00:00Z" > "2025-01-07T11:00:00.500Z")
        #expect(whole < half)
        #expect(half - whole == 500)
        #expect(whole == 1_736_247_600_000)
        #expect(EventTime.milliseconds("2025-01-07T11:00:00.5Z") == half)
        #expect(EventTime.milliseconds("2025-01-07T11:00:00.123456789Z") == whole + 123)
        #expect(EventTime.milliseconds("2025-01-07T10:59:59.999Z") == whole - 1)
        #expect(EventTime.milliseconds("1970-01-01T00:00:00Z") == 0)
        for text in ["2025-01-07T11:00:00", "2025-01-07T11:00:00.Z", "2025-01-07 11:00:00Z", "junk"] {
            #expect(EventTime.milliseconds(text) == nil)
        }
        // Every normalized time reads back.
        for (text, normalized) in Self.cases {
            if let normalized { #expect(EventTime.milliseconds(normalized) != nil, "\(text)") }
        }
    }
}
