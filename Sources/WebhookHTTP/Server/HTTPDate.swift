/// The `Date` field of responses (RFC 9110 §6.6.1), in IMF-fixdate (RFC 9110 §5.6.7):
/// `Sun, 06 Nov 1994 08:49:37 GMT`.
///
/// Each event loop keeps one and asks it for the current second's value with every response: the value is
/// formatted once per second, and between two changes of the second a response costs one comparison.
struct HTTPDate {
    /// The second that ``value`` names, in seconds since 1970 (UTC).
    private(set) var second: Int = .min
    /// The 29 bytes of the IMF-fixdate of ``second``.
    private(set) var value: [UInt8] = []

    /// The IMF-fixdate of `second` (seconds since 1970), formatted again only when the second changed.
    mutating func value(at second: Int) -> [UInt8] {
        if second != self.second {
            self.second = second
            value = Self.format(second)
        }
        return value
    }

    private static let dayNames = Array("SunMonTueWedThuFriSat".utf8)
    private static let monthNames = Array("JanFebMarAprMayJunJulAugSepOctNovDec".utf8)

    /// The IMF-fixdate of `second` (seconds since 1970, UTC; the proleptic Gregorian calendar).
    static func format(_ second: Int) -> [UInt8] {
        let days = second >= 0 ? second / 86_400 : (second - 86_399) / 86_400
        let timeOfDay = second - days * 86_400
        // 1970-01-01 was a Thursday (index 4 from Sunday).
        let weekday = ((days % 7) + 11) % 7
        let (year, month, day) = civilDate(daysSince1970: days)

        var out: [UInt8] = []
        out.reserveCapacity(29)
        out.append(contentsOf: dayNames[(weekday * 3)..<(weekday * 3 + 3)])
        out.append(contentsOf: [0x2C, 0x20]) // ", "
        appendDigits(day, count: 2, to: &out)
        out.append(0x20)
        out.append(contentsOf: monthNames[((month - 1) * 3)..<((month - 1) * 3 + 3)])
        out.append(0x20)
        appendDigits(year, count: 4, to: &out)
        out.append(0x20)
        appendDigits(timeOfDay / 3600, count: 2, to: &out)
        out.append(0x3A)
        appendDigits(timeOfDay / 60 % 60, count: 2, to: &out)
        out.append(0x3A)
        appendDigits(timeOfDay % 60, count: 2, to: &out)
        out.append(contentsOf: " GMT".utf8)
        return out
    }

    /// Year, month (1–12) and day (1–31) of a day counted from 1970-01-01, by whole 400-year eras (146 097
    /// days each) and years that start on March 1st, so that the leap day falls at the end of a year.
    static func civilDate(daysSince1970: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = daysSince1970 + 719_468 // days from 0000-03-01 to 1970-01-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchMonth = (5 * dayOfYear + 2) / 153 // 0 is March
        let day = dayOfYear - (153 * marchMonth + 2) / 5 + 1
        let month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func appendDigits(_ value: Int, count: Int, to out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<count { divisor *= 10 }
        var rest = max(0, value)
        while divisor > 0 {
            out.append(UInt8(truncatingIfNeeded: 0x30 + rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }
}
