import Foundation
import Testing

@testable import WebhookApp

@Suite struct TimeArgumentTests {
    let now = Date(timeIntervalSince1970: 1_764_849_600) // 2025-12-04T12:00:00Z

    @Test func aBareDateIsMidnightUTC() throws {
        #expect(try TimeArgument.milliseconds("2026-12-01", option: "since", now: now) == 1_796_083_200_000)
    }

    @Test func anISOTimeKeepsItsZoneAndFraction() throws {
        #expect(try TimeArgument.milliseconds("2026-12-01T10:00:00Z", option: "since", now: now) == 1_796_119_200_000)
        #expect(
            try TimeArgument.milliseconds("2026-12-01T11:00:00.250+01:00", option: "since", now: now)
                == 1_796_119_200_250
        )
    }

    @Test func aDurationCountsBackFromNow() throws {
        let nowMilliseconds: Int64 = 1_764_849_600_000
        #expect(try TimeArgument.milliseconds("24h", option: "since", now: now) == nowMilliseconds - 86_400_000)
        #expect(try TimeArgument.milliseconds("7d", option: "since", now: now) == nowMilliseconds - 604_800_000)
        #expect(try TimeArgument.milliseconds("90s", option: "since", now: now) == nowMilliseconds - 90_000)
        #expect(try TimeArgument.milliseconds("15m", option: "since", now: now) == nowMilliseconds - 900_000)
    }

    @Test(arguments: ["yesterday", "24", "h", "-3h", "+3h", "2026-13-01", "2026-12-01T25:00:00Z", "99999999999999999d"])
    func anythingElseIsAUsageErrorNamingTheOption(_ text: String) {
        #expect {
            _ = try TimeArgument.milliseconds(text, option: "until", now: now)
        } throws: { error in
            "\(error)".hasPrefix("--until must be an ISO 8601 time")
        }
    }
}
