/// The one calendar arithmetic of the package: proleptic Gregorian dates ↔ days since 1970-01-01, in UTC.
///
/// Howard Hinnant's `days_from_civil` and `civil_from_days` ("chrono-Compatible Low-Level Date Algorithms"),
/// which count years from March so that February's length only matters at the end of a year, and work in
/// 400-year eras so that any `Int` day count (within about ±2.5 × 10¹⁵ years) is exact. Event times
/// (``EventTime``), the log lines' and receive timestamps (WebhookApp) and the stores' times (WebhookStore) all
/// use it, without Foundation's `Calendar`.
///
/// Pure arithmetic, so it lives in the domain core (which every target that formats or parses a timestamp
/// imports) rather than in SystemSupport, which holds I/O (docs/architecture.md).
///
/// ```swift
/// CivilCalendar.days(year: 2025, month: 3, day: 2)   // 20149
/// CivilCalendar.date(fromDays: 20149)                  // (2025, 3, 2)
/// ```
package enum CivilCalendar {
    /// Days since 1970-01-01 of a date (negative before it). `month` is 1...12; `day` is not checked against
    /// the month's length (day 0 is the day before the 1st).
    package static func days(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = floorDivision(shiftedYear, 400).quotient
        let yearOfEra = shiftedYear - era * 400
        let monthFromMarch = (month + 9) % 12
        let dayOfYear = (153 * monthFromMarch + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day count since 1970-01-01 (the inverse of ``days(year:month:day:)``).
    package static func date(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = floorDivision(shifted, 146_097).quotient
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    /// Whether `year` has a 29 February.
    package static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The number of days in `month` (1...12) of `year`.
    package static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `value` divided by a positive `divisor`, rounded toward negative infinity, and the remainder (never
    /// negative): what splitting a signed count of minutes or milliseconds into days needs.
    package static func floorDivision<T: BinaryInteger>(_ value: T, _ divisor: T) -> (quotient: T, remainder: T) {
        var quotient = value / divisor
        var remainder = value % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }
}
