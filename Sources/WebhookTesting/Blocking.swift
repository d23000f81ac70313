import Foundation

/// Runs blocking test work (sockets, `waitpid`, `usleep`) on a thread of its own, so it never holds one of
/// the few cooperative-pool threads that every other test in the process needs (STYLE rule 24, for tests).
public enum Blocking {
    /// Runs `work` on a new thread and returns its result.
    ///
    /// The work stays part of the calling task (the thread is that task's executor for the duration), so
    /// task-local values reach it: an `#expect` inside is attributed to the test that called `run`.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let executor = DedicatedThreadExecutor()
        defer { executor.finish() }
        return try await withTaskExecutorPreference(executor) {
            try work()
        }
    }
}

/// A task executor with one thread of its own, which runs the jobs enqueued on it in order until
/// ``finish()`` is called and its queue is empty.
private final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    // `jobs` and `isFinished` are guarded by `condition`'s lock.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var isFinished = false

    init() {
        let thread = Thread { [self] in runJobs() }
        // Test code formats large values into expectation messages: give it a full-size stack.
        thread.stackSize = 8 << 20
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    func finish() {
        condition.lock()
        isFinished = true
        condition.signal()
        condition.unlock()
    }

    private func runJobs() {
        while true {
            condition.lock()
            while jobs.isEmpty && !isFinished { condition.wait() }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
