/// Normalizes the senders' time formats to ISO 8601 UTC (`2025-03-02T08:05:00Z`).
///
/// Accepted (docs/reference.md §5): `YYYY-MM-DD HH:MM:SS` (UTC), ISO 8601 / RFC 3339 (`T` or space, optional fraction,
/// `Z`, `±HH:MM`, `±HHMM`, `±HH` or no zone meaning UTC), and ARGOS's `YYYY-MM-DD-HH-MM-SS-mmm`.
/// Fractional seconds are kept as written (`2025-03-02T08:01:00.000Z`); offsets are converted to UTC.
public enum EventTime {
    /// The time in ISO 8601 UTC, or nil when `text` is not one of the accepted formats or not a real time.
    public static func normalize(_ text: String) -> String? {
        var text = text
        return text.withUTF8 { normalize(utf8: $0) }
    }

    static func normalize(utf8 t: UnsafeBufferPointer<UInt8>) -> String? {
        // YYYY-MM-DD
        guard t.count >= 19,
            let year = digits(t, 0, 4), t[4] == UInt8(ascii: "-"),
            let month = digits(t, 5, 2), t[7] == UInt8(ascii: "-"),
            let day = digits(t, 8, 2)
        else { return nil }
        let separator = t[10]
        let dashed = separator == UInt8(ascii: "-")
        guard dashed || separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == 0x20 else {
            return nil
        }
        let timeSeparator = dashed ? UInt8(ascii: "-") : UInt8(ascii: ":")
        guard let hour = digits(t, 11, 2), t[13] == timeSeparator,
            let minute = digits(t, 14, 2), t[16] == timeSeparator,
            let second = digits(t, 17, 2)
        else { return nil }
        var index = 19
        // Fraction: `.digits` (ISO) or `-digits` (ARGOS's dashed form).
        var fraction: UnsafeBufferPointer<UInt8>.SubSequence?
        let fractionMark = dashed ? UInt8(ascii: "-") : UInt8(ascii: ".")
        if index < t.count, t[index] == fractionMark {
            let start = index + 1
            var end = start
            while end < t.count, t[end] &- UInt8(ascii: "0") < 10 { end += 1 }
            guard end > start, end - start <= 9 else { return nil }
            fraction = t[start..<end]
            index = end
        }
        // Zone (ISO forms only).
        var offsetMinutes = 0
        if index < t.count {
            guard !dashed else { return nil }
            let sign = t[index]
            if sign == UInt8(ascii: "Z") || sign == UInt8(ascii: "z") {
                index += 1
            } else if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                guard let hours = digits(t, index + 1, 2), hours <= 23 else { return nil }
                index += 3
                var minutes = 0
                if index < t.count {
                    if t[index] == UInt8(ascii: ":") { index += 1 }
                    guard let value = digits(t, index, 2), value <= 59 else { return nil }
                    minutes = value
                    index += 2
                }
                offsetMinutes = (hours * 60 + minutes) * (sign == UInt8(ascii: "-") ? -1 : 1)
            } else {
                return nil
            }
            guard index == t.count else { return nil }
        }
        guard (1...12).contains(month), day >= 1, day <= CivilCalendar.daysInMonth(year: year, month: month),
            hour <= 23, minute <= 59, second <= 59
        else { return nil }

        var utcYear = year
        var utcMonth = month
        var utcDay = day
        var utcHour = hour
        var utcMinute = minute
        if offsetMinutes != 0 {
            let dayNumber = CivilCalendar.days(year: year, month: month, day: day)
            let total = dayNumber * 1440 + hour * 60 + minute - offsetMinutes
            let (days, minuteOfDay) = CivilCalendar.floorDivision(total, 1440)
            (utcYear, utcMonth, utcDay) = CivilCalendar.date(fromDays: days)
            guard (0...9999).contains(utcYear) else { return nil }
            utcHour = minuteOfDay / 60
            utcMinute = minuteOfDay % 60
        }

        var output: [UInt8] = []
        output.reserveCapacity(32)
        appendPadded(utcYear, width: 4, to: &output)
        output.append(UInt8(ascii: "-"))
        appendPadded(utcMonth, width: 2, to: &output)
        output.append(UInt8(ascii: "-"))
        appendPadded(utcDay, width: 2, to: &output)
        output.append(UInt8(ascii: "T"))
        appendPadded(utcHour, width: 2, to: &output)
        output.append(UInt8(ascii: ":"))
        appendPadded(utcMinute, width: 2, to: &output)
        output.append(UInt8(ascii: ":"))
        appendPadded(second, width: 2, to: &output)
        if let fraction {
            output.append(UInt8(ascii: "."))
            output.append(contentsOf: fraction)
        }
        output.append(UInt8(ascii: "Z"))
        return String(decoding: output, as: UTF8.self)
    }

    /// Milliseconds since 1970-01-01T00:00:00Z of a time ``normalize(_:)`` wrote
    /// (`YYYY-MM-DDTHH:MM:SS[.fraction]Z`), the fraction cut to milliseconds; nil for any other text.
    ///
    /// Events are ordered by instant, not by text: `2025-01-07T11:00:00Z` sorts after `2025-01-07T11:00:00.500Z`
    /// lexically (`Z` > `.`), though it is half a second earlier (docs/reference.md §5 "Order").
    public static func milliseconds(_ normalized: String) -> Int64? {
        var text = normalized
        return text.withUTF8 { t -> Int64? in
            guard t.count >= 20, t[4] == UInt8(ascii: "-"), t[7] == UInt8(ascii: "-"), t[10] == UInt8(ascii: "T"),
                t[13] == UInt8(ascii: ":"), t[16] == UInt8(ascii: ":"), t[t.count - 1] == UInt8(ascii: "Z"),
                let year = digits(t, 0, 4), let month = digits(t, 5, 2), let day = digits(t, 8, 2),
                let hour = digits(t, 11, 2), let minute = digits(t, 14, 2), let second = digits(t, 17, 2),
                (1...12).contains(month), (1...31).contains(day), hour <= 23, minute <= 59, second <= 59
            else { return nil }
            var millisecond = 0
            if t.count > 20 {
                guard t[19] == UInt8(ascii: "."), t.count - 21 >= 1 else { return nil }
                var scale = 100
                for index in 20..<(t.count - 1) {
                    let digit = t[index] &- UInt8(ascii: "0")
                    guard digit < 10 else { return nil }
                    millisecond += Int(digit) * scale
                    scale /= 10
                }
            }
            let days = CivilCalendar.days(year: year, month: month, day: day)
            let seconds = ((days * 24 + hour) * 60 + minute) * 60 + second
            return Int64(seconds) * 1000 + Int64(millisecond)
        }
    }

    // MARK: - Digits

    private static func digits(_ t: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        guard start + count <= t.count else { return nil }
        var value = 0
        for index in start..<(start + count) {
            let digit = t[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }

    private static func appendPadded(_ value: Int, width: Int, to output: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            output.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }
}
