import Foundation
import Testing
import WebhookTesting

@Suite struct DispatchManualClockTests {
    /// `advance` wakes exactly the sleepers whose deadline has passed, and moves the wall-clock date.
    @Test func advanceWakesOnlyDueSleepers() async throws {
        let clock = ManualClock()
        let start = clock.currentDate()
        let short = Task { try await clock.sleep(for: .seconds(1)) }
        let long = Task { try await clock.sleep(for: .seconds(10)) }
        try await withTimeout(seconds: 10) { await clock.waitForSleepers(count: 2) }

        clock.advance(by: .seconds(2))
        try await withTimeout(seconds: 10) { try await short.value }
        #expect(clock.sleeperCount == 1)
        #expect(clock.nextDeadline == ManualClock.Instant(offset: .seconds(10)))
        #expect(clock.currentDate().timeIntervalSince(start) == 2)

        clock.advance(by: .seconds(8))
        try await withTimeout(seconds: 10) { try await long.value }
        #expect(clock.sleeperCount == 0)
    }

    /// A cancelled sleeper wakes at once with CancellationError; a past deadline returns at once.
    @Test func cancellationAndPastDeadlines() async throws {
        let clock = ManualClock()
        let sleeper = Task { try await clock.sleep(for: .seconds(100)) }
        try await withTimeout(seconds: 10) { await clock.waitForSleepers(count: 1) }
        sleeper.cancel()
        let result = await sleeper.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(clock.sleeperCount == 0)

        try await clock.sleep(until: clock.now.advanced(by: .seconds(-1)), tolerance: nil)
        try await clock.sleep(for: .zero)
    }
}
