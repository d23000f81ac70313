public import Foundation
import SystemSupport

/// When a failed delivery is tried again: exponential backoff with "equal jitter", and a bound on attempts.
///
/// After failed attempt `n` (1 for the first), the base delay is `initialDelay × 2^(n-1)`, capped at `maxDelay`;
/// the delay is half the base plus a random share of the other half, so it lies in `[base/2, base]`
/// ("equal jitter", as described in AWS's "Exponential Backoff And Jitter"). Unlike full jitter it keeps a floor,
/// so a failing endpoint is never retried at once, while deliveries that failed together spread out.
/// After `maxAttempts` attempts in all (the first included) there is no retry: the delivery is dead (docs/reference.md §6).
///
/// ```swift
/// let policy = RetryPolicy(maxAttempts: 8, initialDelay: .seconds(1), maxDelay: .seconds(3600))
/// policy.delay(afterAttempt: 3, random: 0.5)   // .seconds(3): base 4 s, 2 s + 0.5 × 2 s
/// policy.delay(afterAttempt: 8, random: 0.5)   // nil: dead
/// ```
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included. At least 1.
    public var maxAttempts: Int
    /// The base delay after the first failed attempt.
    public var initialDelay: Duration
    /// The cap on the base delay.
    public var maxDelay: Duration

    /// - Parameters:
    ///   - maxAttempts: attempts in all, the first included (docs/reference.md §3 `retry.maxAttempts`, default 8).
    ///     Values below 1 are treated as 1.
    ///   - initialDelay: the base delay after the first failure (default 1 s).
    ///   - maxDelay: the cap on the base delay (default 3600 s).
    public init(
        maxAttempts: Int = 8,
        initialDelay: Duration = .seconds(1),
        maxDelay: Duration = .seconds(3600)
    ) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
    }

    /// The base (un-jittered) delay after failed attempt `attempt`: `initialDelay × 2^(attempt-1)`, capped.
    public func baseDelay(afterAttempt attempt: Int) -> Duration {
        let initial = max(initialDelay.inSeconds, 0)
        let cap = max(maxDelay.inSeconds, 0)
        // 2^62 s is far beyond any cap; clamping the exponent keeps the arithmetic finite.
        let exponent = Double(min(max(attempt - 1, 0), 62))
        let seconds = min(initial * pow(2, exponent), cap)
        return .milliseconds(roundingSeconds: seconds)
    }

    /// The delay before the next attempt after failed attempt `attempt`, or nil when it was the last one.
    ///
    /// - Parameters:
    ///   - attempt: the attempt that just failed, 1 for the first.
    ///   - random: a number in `0...1` (clamped) choosing where in `[base/2, base]` the delay falls.
    /// - Returns: the delay, or nil when `attempt >= maxAttempts` (the delivery is dead).
    public func delay(afterAttempt attempt: Int, random: Double) -> Duration? {
        guard attempt < max(maxAttempts, 1) else { return nil }
        let base = baseDelay(afterAttempt: attempt).inSeconds
        let share = min(max(random, 0), 1)
        let seconds = base / 2 + share * base / 2
        return .milliseconds(roundingSeconds: seconds)
    }

    /// When to try again after failed attempt `attempt` at `now`, or nil when the delivery is dead.
    ///
    /// - Parameters:
    ///   - attempt: the attempt that just failed, 1 for the first.
    ///   - now: the time of the failure.
    ///   - random: a number in `0...1`, see ``delay(afterAttempt:random:)``.
    public func retryAt(afterAttempt attempt: Int, now: Date, random: Double) -> Date? {
        delay(afterAttempt: attempt, random: random).map {
            now.addingTimeInterval($0.inSeconds)
        }
    }
}
