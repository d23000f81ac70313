import Foundation
import Testing
import WebhookCore

@Suite struct CivilCalendarTests {
    /// Foundation's Gregorian calendar in UTC (Gregorian from 15 October 1582; Julian before it).
    private static let gregorian: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    private static func foundationDate(days: Int) -> (year: Int, month: Int, day: Int) {
        let components = gregorian.dateComponents(
            [.year, .month, .day],
            from: Date(timeIntervalSince1970: Double(days) * 86_400)
        )
        return (components.year!, components.month!, components.day!)
    }

    /// Every day from 1890 to 2110, and every 97th day from 1600 to 9999, is the date Foundation's calendar
    /// gives, and converts back to its day count.
    @Test func agreesWithFoundation() {
        let dense =
            CivilCalendar.days(year: 1890, month: 1, day: 1)...CivilCalendar.days(year: 2110, month: 12, day: 31)
        let sparse = stride(
            from: CivilCalendar.days(year: 1600, month: 1, day: 1),
            through: CivilCalendar.days(year: 9999, month: 12, day: 31),
            by: 97
        )
        var mismatches: [String] = []
        for days in Array(dense) + Array(sparse) {
            let ours = CivilCalendar.date(fromDays: days)
            let reference = Self.foundationDate(days: days)
            if ours != reference {
                mismatches.append("day \(days): ours \(ours), Foundation \(reference)")
            }
            if CivilCalendar.days(year: ours.year, month: ours.month, day: ours.day) != days {
                mismatches.append("day \(days) does not round-trip")
            }
            if mismatches.count > 10 { break }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    /// Over ±2 million days (about ±5 500 years, before year 0 too), dates round-trip and follow each other
    /// one day at a time: the day advances, or the month does at its last day, or the year at 31 December.
    @Test func roundTripsAndStepsOneDayAtATime() {
        var previous = CivilCalendar.date(fromDays: -2_000_001)
        var problems = 0
        for days in -2_000_000...2_000_000 {
            let date = CivilCalendar.date(fromDays: days)
            let roundTrips = CivilCalendar.days(year: date.year, month: date.month, day: date.day) == days
            let isNext: Bool
            if previous.day < CivilCalendar.daysInMonth(year: previous.year, month: previous.month) {
                isNext = date == (previous.year, previous.month, previous.day + 1)
            } else if previous.month < 12 {
                isNext = date == (previous.year, previous.month + 1, 1)
            } else {
                isNext = date == (previous.year + 1, 1, 1)
            }
            if !roundTrips || !isNext { problems += 1 }
            previous = date
        }
        #expect(problems == 0)
    }

    @Test func leapYears() {
        #expect(CivilCalendar.isLeapYear(2024))
        #expect(CivilCalendar.isLeapYear(2000))
        #expect(CivilCalendar.isLeapYear(1600))
        #expect(!CivilCalendar.isLeapYear(1900))
        #expect(!CivilCalendar.isLeapYear(2100))
        #expect(!CivilCalendar.isLeapYear(2023))
        #expect(CivilCalendar.daysInMonth(year: 2024, month: 2) == 29)
        #expect(CivilCalendar.daysInMonth(year: 2100, month: 2) == 28)
        #expect(
            CivilCalendar.days(year: 2000, month: 3, day: 1) - CivilCalendar.days(year: 2000, month: 2, day: 28) == 2
        )
        #expect(
            CivilCalendar.days(year: 1900, month: 3, day: 1) - CivilCalendar.days(year: 1900, month: 2, day: 28) == 1
        )
    }

    @Test func knownDays() {
        #expect(CivilCalendar.days(year: 1970, month: 1, day: 1) == 0)
        #expect(CivilCalendar.days(year: 1969, month: 12, day: 31) == -1)
        #expect(CivilCalendar.days(year: 2025, month: 3, day: 2) == 20_149)
        #expect(CivilCalendar.days(year: 0, month: 3, day: 1) == -719_468)
        #expect(CivilCalendar.date(fromDays: 0) == (1970, 1, 1))
        #expect(CivilCalendar.date(fromDays: -719_469) == (0, 2, 29))
    }

    @Test func floorDivision() {
        #expect(CivilCalendar.floorDivision(7, 3) == (2, 1))
        #expect(CivilCalendar.floorDivision(-7, 3) == (-3, 2))
        #expect(CivilCalendar.floorDivision(-6, 3) == (-2, 0))
        #expect(CivilCalendar.floorDivision(Int64(-1), 86_400_000) == (-1, 86_399_999))
    }
}
