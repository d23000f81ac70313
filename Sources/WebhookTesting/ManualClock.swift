public import Foundation
import Synchronization
import SystemSupport
public import WebhookApp

/// A clock that only moves when a test says so (CONTRIBUTING.md rule 28, after Hummingbird's `MockClock`).
///
/// It is both a ``DispatchClock`` (a wall-clock `Date` that starts at `start`) and a `Clock<Duration>` (for
/// handler timeouts). Sleepers wake when ``advance(by:)`` moves the time past their deadline; a sleeper's
/// cancellation wakes it at once with `CancellationError`.
///
/// ```swift
/// let clock = ManualClock()
/// async let slept: Void = clock.sleep(for: .seconds(5))
/// await clock.waitForSleepers(count: 1)
/// clock.advance(by: .seconds(5))   // `slept` returns
/// ```
public final class ManualClock: DispatchClock, Clock, Sendable {
    /// A point of the manual time line: the time advanced since the clock was made.
    public struct Instant: InstantProtocol, Sendable {
        public var offset: Duration

        public init(offset: Duration) { self.offset = offset }

        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        var deadline: Duration
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var offset = Duration.zero
        var nextID: UInt64 = 0
        var sleepers: [UInt64: Sleeper] = [:]
        var sleeperWaiters: [UInt64: (count: Int, continuation: CheckedContinuation<Void, Never>)] = [:]
    }

    /// The wall-clock time at offset zero.
    public let start: Date
    private let state = Mutex(State())

    /// - Parameter start: the wall-clock time the clock starts at (a fixed date by default, so runs repeat).
    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        self.start = start
    }

    // MARK: Time

    public var now: Instant { Instant(offset: state.withLock { $0.offset }) }

    public var minimumResolution: Duration { .nanoseconds(1) }

    public func currentDate() -> Date {
        start.addingTimeInterval(Self.seconds(state.withLock { $0.offset }))
    }

    /// Moves the time forward by `duration` and wakes every sleeper whose deadline is now passed.
    public func advance(by duration: Duration) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.offset += duration
            let due = state.sleepers.filter { $0.value.deadline <= state.offset }
            for id in due.keys { state.sleepers[id] = nil }
            return due.values.map(\.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    // MARK: Sleeping

    public func sleep(for duration: Duration) async throws {
        try await sleep(until: now.advanced(by: duration), tolerance: nil)
    }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Action { case none, resume, cancel }
                let (action, waiters) = state.withLock {
                    state -> (Action, [CheckedContinuation<Void, Never>]) in
                    if Task.isCancelled { return (.cancel, []) }
                    if deadline.offset <= state.offset { return (.resume, []) }
                    state.sleepers[id] = Sleeper(deadline: deadline.offset, continuation: continuation)
                    let count = state.sleepers.count
                    let ready = state.sleeperWaiters.filter { $0.value.count <= count }
                    for id in ready.keys { state.sleeperWaiters[id] = nil }
                    return (.none, ready.values.map(\.continuation))
                }
                switch action {
                case .none: break
                case .resume: continuation.resume()
                case .cancel: continuation.resume(throwing: CancellationError())
                }
                for waiter in waiters { waiter.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// How many tasks are sleeping on this clock now.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The earliest deadline among the sleepers, or nil when nobody sleeps.
    public var nextDeadline: Instant? {
        state.withLock { $0.sleepers.values.map(\.deadline).min().map(Instant.init(offset:)) }
    }

    /// Returns once at least `count` tasks sleep on this clock, or when the calling task is cancelled.
    public func waitForSleepers(count: Int) async {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let isReady = state.withLock { state -> Bool in
                    if state.sleepers.count >= count || Task.isCancelled { return true }
                    state.sleeperWaiters[id] = (count, continuation)
                    return false
                }
                if isReady { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.sleeperWaiters.removeValue(forKey: id) }?.continuation.resume()
        }
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        duration.inSeconds
    }
}
