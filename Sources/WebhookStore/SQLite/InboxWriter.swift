import Glibc
import Synchronization
import SystemSupport
import WebhookCore

/// The one thread that owns the write connection and commits waiting records together (group commit).
///
/// Producers (event loops, async callers) append a job to a `Mutex`-protected queue and set a wake-up flag;
/// they never touch the disk. The thread takes every waiting job: consecutive records go into one
/// `BEGIN IMMEDIATE … COMMIT`, so one fsync (`synchronous=FULL`) serves them all, and their completions run
/// after `COMMIT` returns; other operations run one by one in their own transaction, in queue order.
/// If a batch fails (disk full, busy past the timeout), it is rolled back and each of its records gets the
/// error; the next batch simply tries again, so the store recovers by itself once the disk has room.
final class InboxWriter: Sendable {
    /// Work for the writer thread.
    enum Job: Sendable {
        case record(InboxRecord, @Sendable (Result<RecordOutcome, any Error>) -> Void)
        case rejected(RejectedBody, @Sendable (Result<Void, any Error>) -> Void)
        /// Runs on the writer thread (with ``write(_:)`` or ``read(_:)``); it resumes its own continuation.
        case operation(@Sendable (InboxWriter) -> Void)
    }

    private struct Queue: ~Copyable {
        var jobs: [Job] = []
        var isClosing = false
        /// Testing: while set, the thread leaves jobs waiting (as if a long commit were in progress).
        var isPaused = false
    }

    private let queue = Mutex(Queue())
    /// Set by producers, cleared by the thread when it wakes (so a signal sent before it sleeps is not lost).
    private let wakeup = ConditionLock(false)
    /// Set once the thread has closed the connection and is about to exit.
    private let exited = ConditionLock(false)
    private let database: InboxDatabase
    private let checkpointer: InboxCheckpointer?
    private let groupCommit: Bool
    private let maxBatchSize: Int
    /// The writer thread's ID, so that `close` called from a completion does not wait for itself.
    private let threadID = Mutex<OSThread.ID?>(nil)
    private let transactions = Atomic<Int>(0)
    private let hasStarted = Atomic<Bool>(false)
    private let health = Mutex(Health())
    private let observeHealth: @Sendable (StoreHealthEvent) -> Void

    /// What the writer has learnt of the store from its own transactions.
    private struct Health {
        /// The last write transaction failed (readiness stays down until one commits).
        var lastWriteFailed = false
        /// Why the store is damaged, once a damaged page was met: latched until restart.
        var damage: String?
    }

    init(
        database: InboxDatabase,
        checkpointer: InboxCheckpointer?,
        groupCommit: Bool,
        maxBatchSize: Int,
        observeHealth: @escaping @Sendable (StoreHealthEvent) -> Void = { _ in }
    ) {
        self.database = database
        self.checkpointer = checkpointer
        self.groupCommit = groupCommit
        self.maxBatchSize = max(1, maxBatchSize)
        self.observeHealth = observeHealth
    }

    /// Write transactions committed with at least one change.
    var committedTransactions: Int { transactions.load(ordering: .relaxed) }

    /// Starts the thread (once).
    func start(name: String) {
        guard hasStarted.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        OSThread.start(name: name) { [self] in
            threadID.withLock { $0 = OSThread.currentID }
            run()
        }
    }

    // MARK: Submitting

    /// Queues `job`; false when closing (the caller reports ``InboxError/Code/closed``).
    func submit(_ job: Job) -> Bool {
        let isQueued = queue.withLock { queue in
            guard !queue.isClosing else { return false }
            queue.jobs.append(job)
            return true
        }
        if isQueued { wakeup.withLock { $0 = true } }
        return isQueued
    }

    func setPaused(_ isPaused: Bool) {
        queue.withLock { $0.isPaused = isPaused }
        wakeup.withLock { $0 = true }
    }

    /// Stops taking jobs, lets the thread finish the queued ones, close the connection and exit, and waits for
    /// that (every caller, however many) unless called on the writer thread itself.
    func close() {
        queue.withLock { $0.isClosing = true }
        wakeup.withLock { $0 = true }
        guard hasStarted.load(ordering: .relaxed) else { return }
        let isWriterThread = threadID.withLock { $0 == OSThread.currentID }
        if !isWriterThread {
            exited.wait(until: { $0 })
        }
    }

    // MARK: The thread

    private func run() {
        while let jobs = nextJobs() {
            if jobs.isEmpty {
                wakeup.wait(until: { $0 }, then: { $0 = false })
                // Woken by the first record of a new batch. On a core shared with an event loop, let the loop
                // first finish the requests it already has (it sleeps in epoll_wait once it has), so that they
                // join this batch; on an idle core this returns at once. Measured on the bench's pinned core:
                // 40% fewer context switches, ~15% less writer CPU per event, p99 no higher.
                sched_yield()
            } else {
                process(jobs)
                checkpointer?.writerIsBetweenTransactions(database.connection)
            }
        }
        // Copy the WAL into the file without waiting for readers of other processes (PASSIVE keeps `close`
        // bounded); optional, so its failure is not an error. The last connection to close removes the WAL.
        try? database.connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        try? database.connection.close()
        exited.withLock { $0 = true }
    }

    /// Up to `maxBatchSize` waiting jobs; empty to sleep; nil once closing and drained.
    private func nextJobs() -> [Job]? {
        queue.withLock { queue in
            if queue.jobs.isEmpty { return queue.isClosing ? nil : [] }
            if queue.isPaused, !queue.isClosing { return [] }
            let count = min(maxBatchSize, queue.jobs.count)
            let taken = Array(queue.jobs.prefix(count))
            queue.jobs.removeFirst(count)
            return taken
        }
    }

    private func process(_ jobs: [Job]) {
        var batch: [Job] = []
        for job in jobs {
            switch job {
            case .record, .rejected:
                batch.append(job)
                if !groupCommit {
                    commit(batch)
                    batch.removeAll()
                }
            case .operation(let body):
                commit(batch)
                batch.removeAll()
                body(self)
            }
        }
        commit(batch)
    }

    /// Commits `batch` as one transaction, then calls each completion with its outcome, or all with the error.
    private func commit(_ batch: [Job]) {
        guard !batch.isEmpty else { return }
        var outcomes: [RecordOutcome?] = []
        do {
            try write { database in
                outcomes.removeAll(keepingCapacity: true)
                for job in batch {
                    switch job {
                    case .record(let record, _): outcomes.append(try database.insert(record))
                    case .rejected(let body, _):
                        try database.insert(body)
                        outcomes.append(nil)
                    case .operation: outcomes.append(nil)
                    }
                }
            }
        } catch {
            for job in batch {
                switch job {
                case .record(_, let completion): completion(.failure(error))
                case .rejected(_, let completion): completion(.failure(error))
                case .operation: break
                }
            }
            return
        }
        for (job, outcome) in zip(batch, outcomes) {
            switch job {
            case .record(_, let completion): completion(.success(outcome ?? .duplicate))
            case .rejected(_, let completion): completion(.success(()))
            case .operation: break
            }
        }
    }

    /// Runs `body` in an immediate transaction and counts it when it changed rows. Writer thread only.
    ///
    /// Every write goes through here, so here the writer learns whether the store can commit: a failure marks
    /// it unready (``isReady``) and is reported; the next commit marks it ready again. A damaged store refuses
    /// every write from then on, without touching the file.
    func write<T>(_ body: (InboxDatabase) throws -> T) throws -> T {
        try checkNotDamaged()
        let before = database.connection.totalChanges
        database.keys.transactionDidBegin()
        let result: T
        do {
            result = try database.connection.inTransaction { try body(database) }
        } catch {
            database.keys.transactionDidRollBack()
            noteFailure(error, isWrite: true)
            throw error
        }
        database.keys.transactionDidCommit()
        // Only a commit that wrote something proves the store can commit: one that changed nothing wrote
        // nothing to the WAL (the dispatcher's empty claims succeed on a full disk).
        guard database.connection.totalChanges != before else { return result }
        transactions.add(1, ordering: .relaxed)
        let hadFailed = health.withLock { health in
            defer { health.lastWriteFailed = false }
            return health.lastWriteFailed
        }
        if hadFailed { observeHealth(.recovered) }
        return result
    }

    /// Whether the store can commit, as far as its last write transaction tells (false after a failed one until
    /// one commits), and the damage found, if any.
    var isReady: (lastWriteFailed: Bool, damage: String?) {
        health.withLock { ($0.lastWriteFailed, $0.damage) }
    }

    private func checkNotDamaged() throws {
        if let damage = health.withLock({ $0.damage }) {
            throw InboxError(
                .storeDamaged,
                "the store is damaged (\(damage)); it writes nothing more: restore it from a backup and restart"
            )
        }
    }

    /// Classifies and reports an engine error; a damaged page latches the store.
    private func noteFailure(_ error: any Error, isWrite: Bool) {
        guard let error = error as? SQLiteError else { return }
        let kind: StoreFault.Kind =
            if error.isCorrupt || error.isNotADatabase {
                .damaged
            } else if error.isIOError {
                .ioError
            } else if error.isFull {
                .full
            } else if error.isBusy || error.primaryResultCode == 6 {
                .busy
            } else {
                .other
            }
        health.withLock { health in
            if isWrite { health.lastWriteFailed = true }
            if kind == .damaged, health.damage == nil { health.damage = error.message }
        }
        observeHealth(.fault(StoreFault(kind: kind, detail: error.description)))
    }

    /// Runs `body` with the bare connection, outside any transaction (PRAGMAs). Writer thread only.
    func withConnection<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try body(database.connection)
    }

    /// Runs `body` in a read transaction (one snapshot). Writer thread only.
    func read<T>(_ body: (InboxDatabase) throws -> T) throws -> T {
        do {
            return try database.connection.inReadTransaction { try body(database) }
        } catch {
            noteFailure(error, isWrite: false)
            throw error
        }
    }
}
