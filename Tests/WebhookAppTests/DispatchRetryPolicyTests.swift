import Foundation
import Testing
import WebhookApp

@Suite struct DispatchRetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 8, initialDelay: .seconds(1), maxDelay: .seconds(3600))

    /// The base doubles after each failure and stops at the cap.
    @Test func baseDelayDoublesUpToTheCap() {
        let capped = RetryPolicy(maxAttempts: 30, initialDelay: .seconds(1), maxDelay: .seconds(60))
        let bases = (1...10).map { capped.baseDelay(afterAttempt: $0) }
        #expect(bases == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60].map { Duration.seconds($0) })
    }

    /// Equal jitter: the delay lies in [base/2, base], at base/2 for 0 and base for 1.
    @Test(arguments: 1...7)
    func jitteredDelayStaysWithinHalfAndFullBase(attempt: Int) throws {
        let base = policy.baseDelay(afterAttempt: attempt)
        #expect(policy.delay(afterAttempt: attempt, random: 0) == base / 2)
        #expect(policy.delay(afterAttempt: attempt, random: 1) == base)
        for _ in 0..<50 {
            let delay = try #require(policy.delay(afterAttempt: attempt, random: Double.random(in: 0...1)))
            #expect(delay >= base / 2 && delay <= base)
        }
    }

    /// Out-of-range random numbers are clamped, never producing a delay outside the window.
    @Test func randomOutsideTheUnitIntervalIsClamped() {
        #expect(policy.delay(afterAttempt: 3, random: -5) == .seconds(2))
        #expect(policy.delay(afterAttempt: 3, random: 7) == .seconds(4))
    }

    /// `maxAttempts` counts the first attempt: after attempt 8 of 8 there is no retry.
    @Test func deadAfterMaxAttemptsInAll() {
        #expect(policy.delay(afterAttempt: 7, random: 0.5) != nil)
        #expect(policy.delay(afterAttempt: 8, random: 0.5) == nil)
        #expect(policy.retryAt(afterAttempt: 8, now: Date(), random: 0.5) == nil)
        #expect(RetryPolicy(maxAttempts: 1).delay(afterAttempt: 1, random: 0.5) == nil)
    }

    /// Huge attempt numbers stay at the cap instead of overflowing.
    @Test func hugeAttemptNumbersStayAtTheCap() {
        let unbounded = RetryPolicy(maxAttempts: .max, initialDelay: .seconds(1), maxDelay: .seconds(3600))
        #expect(unbounded.delay(afterAttempt: 10_000, random: 1) == .seconds(3600))
    }

    @Test func retryAtIsNowPlusTheDelay() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let retryAt = try #require(policy.retryAt(afterAttempt: 2, now: now, random: 0.25))
        // Base 2 s: 1 s + 0.25 × 1 s.
        #expect(abs(retryAt.timeIntervalSince(now) - 1.25) < 0.000_1)
    }
}
