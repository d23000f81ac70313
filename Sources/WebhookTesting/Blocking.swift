import SystemSupport

/// Runs blocking test work (sockets, `waitpid`, `usleep`) on a thread of its own, so it never holds one of
/// the few cooperative-pool threads that every other test in the process needs (CONTRIBUTING.md rule 24, for tests).
///
/// The one mechanism of the test kit for blocking calls: a new thread made the task's executor (a task
/// executor preference) for the duration. ``LoopbackClient/withClient(port:host:timeoutSeconds:_:)``,
/// ``withDaemon(arguments:environment:directory:timeout:wrapper:_:)``, ``withTestApplication(configuration:environment:inbox:customHandlers:_:)``
/// and the test targets' server helpers all go through it.
public enum Blocking {
    /// Runs `work` on a new thread and returns its result.
    ///
    /// The work stays part of the calling task (the thread is that task's executor for the duration), so
    /// task-local values reach it: an `#expect` inside is attributed to the test that called `run`.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await onThread { try work() }
    }

    /// Runs `body` with a new thread as its executor: its synchronous stretches (a blocking `connect`,
    /// `recv`, `send`, `usleep`) run on that thread, never on the cooperative pool, and when it awaits, it
    /// resumes there. Structured child tasks inherit the thread; unstructured `Task {}`s do not.
    ///
    /// Like ``run(_:)``, task-local values reach `body`, so its expectations belong to the calling test.
    public static func onThread<T>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async throws -> T {
        let executor = DedicatedThreadExecutor()
        defer { executor.finish() }
        return try await withTaskExecutorPreference(executor, isolation: isolation) {
            try await body()
        }
    }
}

/// A task executor with one thread of its own, which runs the jobs enqueued on it in order until
/// ``finish()`` is called and its queue is empty.
private final class DedicatedThreadExecutor: TaskExecutor, Sendable {
    private struct Queue: Sendable {
        var jobs: [UnownedJob] = []
        var isFinished = false
    }

    private let queue = ConditionLock(Queue())

    init() {
        // Test code formats large values into expectation messages: give it a full-size stack.
        OSThread.start(name: "test-blocking", stackSize: 8 << 20) { [self] in runJobs() }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.withLock { $0.jobs.append(job) }
    }

    func finish() {
        queue.withLock { $0.isFinished = true }
    }

    private func runJobs() {
        while let job = queue.wait(
            until: { !$0.jobs.isEmpty || $0.isFinished },
            then: { $0.jobs.isEmpty ? nil : $0.jobs.removeFirst() }
        ) {
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
