import Synchronization
import SystemSupport

/// Counts down once per event loop; ``wait()`` blocks a thread, ``waitAsync()`` suspends a task, until zero.
///
/// Threads wait on a ``ConditionLock`` holding the count; tasks wait on continuations kept in a `Mutex`, so
/// neither kind of waiter holds the other's lock.
final class Latch: Sendable {
    private let remaining: ConditionLock<Int>
    private let waiters = Mutex<(isOpen: Bool, continuations: [CheckedContinuation<Void, Never>])>((false, []))

    init(count: Int) {
        remaining = ConditionLock(count)
        if count == 0 { waiters.withLock { $0.isOpen = true } }
    }

    func countDown() {
        let isZero = remaining.withLock { remaining in
            remaining -= 1
            return remaining == 0
        }
        guard isZero else { return }
        let continuations = waiters.withLock { state in
            state.isOpen = true
            defer { state.continuations = [] }
            return state.continuations
        }
        for continuation in continuations { continuation.resume() }
    }

    /// Blocks the calling thread until the count reaches zero.
    func wait() {
        remaining.wait(until: { $0 <= 0 })
    }

    /// Suspends until the count reaches zero, without blocking a thread.
    func waitAsync() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isOpen = waiters.withLock { state in
                if !state.isOpen { state.continuations.append(continuation) }
                return state.isOpen
            }
            if isOpen { continuation.resume() }
        }
    }
}
