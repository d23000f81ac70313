import Glibc
import Synchronization

/// Counts down once per event loop; ``wait()`` blocks a thread, ``waitAsync()`` suspends a task, until zero.
///
/// `@unchecked Sendable`: it owns a pthread mutex and condition variable (allocated once, freed in `deinit`);
/// every access to `remaining` holds that mutex, and the continuations are in a `Mutex`.
final class Latch: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var remaining: Int
    private let waiters = Mutex<(isOpen: Bool, continuations: [CheckedContinuation<Void, Never>])>((false, []))

    init(count: Int) {
        remaining = count
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        if count == 0 { waiters.withLock { $0.isOpen = true } }
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func countDown() {
        pthread_mutex_lock(mutex)
        remaining -= 1
        let isZero = remaining == 0
        if isZero { pthread_cond_broadcast(condition) }
        pthread_mutex_unlock(mutex)
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
        pthread_mutex_lock(mutex)
        while remaining > 0 { pthread_cond_wait(condition, mutex) }
        pthread_mutex_unlock(mutex)
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
