import Glibc

/// The one waiting primitive for threads: a value behind a mutex, and a condition variable to sleep until the
/// value is what the waiter needs (SwiftNIO's `ConditionLock`, with a predicate instead of one equal value).
///
/// Every ``withLock(_:)`` wakes every waiter, which re-checks its predicate, so a change made before a waiter
/// sleeps is never lost (the predicate sees it first). Timed waits measure on `CLOCK_MONOTONIC`, so setting the
/// wall clock neither shortens nor stretches them. Async code does not wait here (CONTRIBUTING.md rule 25):
/// it suspends on a checked continuation instead.
///
/// ```swift
/// let wakeup = ConditionLock(false)
/// // producer:
/// wakeup.withLock { $0 = true }
/// // consumer thread: sleeps until set, then clears it
/// wakeup.wait(until: { $0 }, then: { $0 = false })
/// ```
///
/// `@unchecked Sendable`: `state` is only read or written with `mutex` locked, and the pthread objects are
/// allocated once in `init` and destroyed in `deinit`, when no thread can be waiting.
package final class ConditionLock<State: Sendable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var state: State

    // MARK: Initialization

    package init(_ initialState: State) {
        state = initialState
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    // MARK: Changing and reading

    /// Runs `body` on the state with the lock held, then wakes every waiter to re-check its predicate.
    ///
    /// - Returns: what `body` returns.
    @discardableResult
    package func withLock<Result>(_ body: (inout State) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer {
            pthread_mutex_unlock(mutex)
            pthread_cond_broadcast(condition)
        }
        return try body(&state)
    }

    // MARK: Waiting

    /// Blocks the calling thread until `isReady` holds for the state, then runs `body` on it, with the lock
    /// held throughout (nothing can change between the check and `body`).
    ///
    /// - Returns: what `body` returns.
    @discardableResult
    package func wait<Result>(
        until isReady: (State) -> Bool,
        then body: (inout State) throws -> Result
    ) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !isReady(state) {
            pthread_cond_wait(condition, mutex)
        }
        return try body(&state)
    }

    /// Blocks the calling thread until `isReady` holds for the state, or for at most `timeout`.
    ///
    /// - Parameters:
    ///   - isReady: checked with the lock held, first at once, then after every change.
    ///   - timeout: the longest wait, or nil for no limit.
    /// - Returns: whether `isReady` held (false: the time was up first).
    @discardableResult
    package func wait(until isReady: (State) -> Bool, timeout: Duration? = nil) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        guard let timeout else {
            while !isReady(state) { pthread_cond_wait(condition, mutex) }
            return true
        }
        let deadline = Self.monotonicDeadline(after: timeout)
        while !isReady(state) {
            var spec = deadline
            if pthread_cond_timedwait(condition, mutex, &spec) == ETIMEDOUT {
                return isReady(state)
            }
        }
        return true
    }

    /// `CLOCK_MONOTONIC` now plus `timeout` (a negative timeout is now; beyond 2³² seconds, 2³² seconds), as
    /// `pthread_cond_timedwait` takes it.
    private static func monotonicDeadline(after timeout: Duration) -> timespec {
        let (seconds, attoseconds) = timeout.components
        var nanoseconds: UInt64 = 0
        if seconds > 0 || (seconds == 0 && attoseconds > 0) {
            nanoseconds = UInt64(min(seconds, 1 << 32)) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
        }
        let deadline = monotonicNanoseconds() + nanoseconds
        return timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
    }
}
