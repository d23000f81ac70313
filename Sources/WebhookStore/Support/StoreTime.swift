import Foundation
import WebhookCore

/// Times as the stores keep them: whole milliseconds since 1970, so both kinds round alike.
enum StoreTime {
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// The instant of an ISO 8601 UTC time as the receiver writes it (`2025-03-02T08:01:00.000Z`, fraction
    /// optional, `Z` or `+00:00`), or nil for anything else.
    static func parseMilliseconds(iso8601 text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<(start + count)] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        func byte(_ index: Int) -> UInt8? { index < bytes.count ? bytes[index] : nil }
        guard let year = number(0, 4), byte(4) == UInt8(ascii: "-"), let month = number(5, 2),
            byte(7) == UInt8(ascii: "-"), let day = number(8, 2),
            byte(10) == UInt8(ascii: "T") || byte(10) == UInt8(ascii: " "),
            let hour = number(11, 2), byte(13) == UInt8(ascii: ":"), let minute = number(14, 2),
            byte(16) == UInt8(ascii: ":"), let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var millis = 0
        if byte(index) == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while let digit = byte(index), digit >= 48, digit <= 57 {
                if digits < 3 { millis = millis * 10 + Int(digit - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            if digits < 3 {
                for _ in digits..<3 { millis *= 10 }
            }
        }
        let rest = String(decoding: bytes[index...], as: UTF8.self)
        guard rest == "Z" || rest == "+00:00" || rest.isEmpty else { return nil }
        let days = CivilCalendar.days(year: year, month: month, day: day)
        let seconds = ((days * 24 + hour) * 60 + minute) * 60 + second
        return Int64(seconds) * 1000 + Int64(millis)
    }

    /// When a record with this `receivedAt` counts as received: the parsed time, else the wall clock.
    static func receivedMilliseconds(_ receivedAt: String) -> Int64 {
        parseMilliseconds(iso8601: receivedAt) ?? milliseconds(Date())
    }

    /// The longest `lastError` kept, in UTF-8 bytes.
    static let maxErrorBytes = 2048

    /// `error` cut to ``maxErrorBytes`` on a character boundary.
    static func truncatedError(_ error: String) -> String {
        guard error.utf8.count > maxErrorBytes else { return error }
        var result = ""
        var count = 0
        for character in error {
            let size = character.utf8.count
            if count + size > maxErrorBytes - 3 { break }
            result.append(character)
            count += size
        }
        return result + "..."
    }
}
