public import Foundation

/// The time source of the ``Dispatcher``: wall-clock dates for the store, and sleeping for polling and backoff.
///
/// The store keeps `nextAttemptAt` as a wall-clock `Date` (several processes, e.g. the CLI's `replay`, read and
/// write it), while waiting is a duration. Tests inject `ManualClock` (WebhookTesting) and advance it by hand
/// (CONTRIBUTING.md rule 28).
public protocol DispatchClock: Sendable {
    /// The current wall-clock time (named apart from `Clock.now`, so one type can be both).
    func currentDate() -> Date

    /// Suspends for `duration`.
    ///
    /// - Throws: `CancellationError` when the calling task is cancelled before the time is up.
    func sleep(for duration: Duration) async throws
}

/// The real clock: `Date()` for now, `ContinuousClock` for sleeping.
public struct SystemDispatchClock: DispatchClock {
    public init() {}

    public func currentDate() -> Date { Date() }

    public func sleep(for duration: Duration) async throws {
        try await ContinuousClock().sleep(for: duration)
    }
}
