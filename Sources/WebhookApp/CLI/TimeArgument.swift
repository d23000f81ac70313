import Foundation
import WebhookCore

/// A time given on the command line (`--since T`, `--until T`; docs/reference.md §2): ISO 8601 (`2026-12-01`,
/// `2026-12-01T10:00:00Z`, any form the senders' times accept) or a duration back from now (`90s`, `15m`,
/// `24h`, `7d`, `2w`).
enum TimeArgument {
    /// Epoch milliseconds of `text`, or a usage error naming the option.
    /// - Parameters:
    ///   - text: the option's value.
    ///   - option: the option's name, for the error (`since`).
    ///   - now: the moment durations count back from.
    static func milliseconds(_ text: String, option: String, now: Date) throws -> Int64 {
        if let back = duration(text) {
            return Int64((now.timeIntervalSince1970 * 1000).rounded(.down)) - back
        }
        // A bare date is that day's midnight, UTC.
        let candidate = isBareDate(text) ? text + "T00:00:00Z" : text
        if let normalized = EventTime.normalize(candidate), let milliseconds = EventTime.milliseconds(normalized) {
            return milliseconds
        }
        throw Arguments.UsageError(
            "--\(option) must be an ISO 8601 time (2026-12-01, 2026-12-01T10:00:00Z) or a duration back from now (24h, 7d)."
        )
    }

    /// Milliseconds of a duration such as `24h`, or nil when `text` is not one.
    static func duration(_ text: String) -> Int64? {
        guard let unit = text.last, let count = Int64(text.dropLast()), count >= 0, text.first != "+" else {
            return nil
        }
        let unitMilliseconds: Int64
        switch unit {
        case "s": unitMilliseconds = 1000
        case "m": unitMilliseconds = 60_000
        case "h": unitMilliseconds = 3_600_000
        case "d": unitMilliseconds = 86_400_000
        case "w": unitMilliseconds = 604_800_000
        default: return nil
        }
        let (product, overflow) = count.multipliedReportingOverflow(by: unitMilliseconds)
        return overflow ? nil : product
    }

    private static func isBareDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
        return bytes.enumerated().allSatisfy { index, byte in
            index == 4 || index == 7 || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
    }
}
