import Foundation

/// ISO 8601 UTC timestamps with milliseconds (`2026-11-22T10:00:00.123Z`), formatted without DateFormatter,
/// since every accepted request needs one: the same formatter as the log lines' `time`.
enum Timestamp {
    /// Formats `date` as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    static func iso8601(_ date: Date) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        JSONLineLogHandler.appendTimestamp(date.timeIntervalSince1970, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
