public import Foundation
import Glibc
import Synchronization
import SystemSupport

/// The shared ``Inbox`` of several receivers: one PostgreSQL database (docs/reference.md §8).
///
/// libpq blocks in every call, so every connection lives on a thread of its own, never on an event loop or
/// the cooperative pool: one writer thread commits the waiting records together (group commit: one
/// transaction, so one WAL flush with `synchronous_commit` on, for the whole batch), and `poolSize - 1` worker
/// threads run everything else, each on its own connection. A lease thread renews the leases of the
/// deliveries this receiver runs. A connection that fails is dropped and opened again on next use, with a
/// backoff of 0.1 s doubling to 5 s; meanwhile every call fails fast (webhooks get 503, `/readyz` too), and
/// the store recovers without a restart. A commit whose outcome is unknown (the connection dropped during
/// `COMMIT`) fails its records: the sender's retry is then `duplicate` or `accepted`, never lost.
///
/// Several receivers share the database: keys are unique in it, a subject's latest time is a locked row,
/// deliveries are claimed with `FOR UPDATE SKIP LOCKED` under a lease, and a dead receiver's leases run out
/// and are claimed by another (``PostgresDatabase``).
public final class PostgresInbox: Inbox {
    /// How the postgres inbox connects and runs.
    public struct Options: Sendable {
        /// A libpq connection string or URI; may hold a password, so it is never logged or shown.
        public var connectionString: String
        /// The schema holding the tables (created at the first start): a lowercase identifier.
        public var schema: String
        /// Connections (and threads): one for the writer, the rest for everything else; at least 2.
        public var poolSize: Int
        /// How long a claimed delivery stays this receiver's without a renewal (renewed every third of it).
        public var lease: Duration
        /// The most records in one transaction.
        public var maxBatchSize: Int
        /// Create the schema when there is none (the daemon); false for commands (``InboxError`` `storeMissing`).
        public var createIfMissing: Bool
        /// The clock leases are renewed by (the dispatcher claims with the same wall clock); tests inject one.
        public var clock: @Sendable () -> Date
        /// This receiver's name on its leases: unique among the receivers sharing the database, and the same
        /// across restarts of one receiver (the daemon uses `host:port`), so that a restart after a crash takes
        /// back at once the deliveries it was running. Default: `host:pid:random`, for commands.
        public var receiverName: String

        public init(
            connectionString: String,
            schema: String = "kyc_webhooks",
            poolSize: Int = 4,
            lease: Duration = .seconds(30),
            maxBatchSize: Int = 1000,
            createIfMissing: Bool = true,
            receiverName: String? = nil,
            clock: @escaping @Sendable () -> Date = { Date() }
        ) {
            self.connectionString = connectionString
            self.schema = schema
            self.poolSize = poolSize
            self.lease = lease
            self.maxBatchSize = maxBatchSize
            self.createIfMissing = createIfMissing
            self.receiverName = receiverName ?? Self.defaultReceiverName()
            self.clock = clock
        }

        /// `host:pid:random`: what `lease_owner` says of whoever runs a delivery.
        static func defaultReceiverName() -> String {
            "\(HostName.current ?? "host"):\(getpid()):\(UInt32.random(in: 0...UInt32.max))"
        }
    }

    private let options: Options
    private let quotedSchema: String
    private let writer: PostgresThreads
    private let pool: PostgresThreads
    private let leaseMilliseconds: Int64
    private let health = Mutex(Health())
    private let observeHealth: @Sendable (StoreHealthEvent) -> Void
    private let stopping = ConditionLock(false)
    private let isClosed = Atomic<Bool>(false)
    private let counters = Counters()
    private let wakeObserver = Mutex<(@Sendable () -> Void)?>(nil)
    /// The channel of ``observeQueuedDeliveries(_:)``: one per schema.
    private var channel: String { "kyc_webhooks_\(options.schema)" }

    /// Connections opened again after one was lost.
    private final class Counters: Sendable {
        let reconnects = Atomic<Int>(0)
    }

    private struct Health {
        var lastWriteFailed = false
        var isFaulted = false
    }

    /// Connects, checks that commits are durable, migrates (under an advisory lock), and starts the threads.
    /// - Throws: ``PostgresError`` when the database cannot be reached or refuses; ``InboxError``
    ///   `unsafeConfiguration` when `synchronous_commit` is `off`, `incompatibleSchema` when a newer program
    ///   migrated the schema, `storeMissing` when there is none and `createIfMissing` is false.
    public init(options: Options, observeHealth: @escaping @Sendable (StoreHealthEvent) -> Void = { _ in }) throws {
        guard PostgresSchema.isValid(options.schema) else {
            throw InboxError(.invalidQuery, "store.schema must be a lowercase identifier (letters, digits, _)")
        }
        self.options = options
        self.quotedSchema = PostgresSchema.quoted(options.schema)
        self.leaseMilliseconds = max(1, options.lease.inWholeMilliseconds)
        self.observeHealth = observeHealth
        let first = try PostgresConnection(connectionString: options.connectionString)
        defer { first.close() }
        // docs/reference.md §4: a 200 means durably committed. With synchronous_commit off, COMMIT returns
        // before the WAL is flushed, and a crash of the server loses what was acknowledged.
        if try first.setting("synchronous_commit") == "off" {
            throw InboxError(
                .unsafeConfiguration,
                "PostgreSQL's synchronous_commit is off for this connection: a 200 would not mean durably committed. "
                    + "Set synchronous_commit = on (the default) for the database or role."
            )
        }
        try PostgresMigrations.migrate(first, schema: options.schema, create: options.createIfMissing)
        let connect: @Sendable () throws -> PostgresConnection = { [connectionString = options.connectionString] in
            try PostgresConnection(connectionString: connectionString)
        }
        let counters = counters
        let onReconnect: @Sendable () -> Void = {
            counters.reconnects.add(1, ordering: .relaxed)
            observeHealth(.reconnected)
        }
        writer = PostgresThreads(
            name: "pg-writer",
            count: 1,
            maxBatchSize: max(1, options.maxBatchSize),
            connect: connect,
            onReconnect: onReconnect
        )
        pool = PostgresThreads(
            name: "pg-pool",
            count: max(1, options.poolSize - 1),
            connect: connect,
            onReconnect: onReconnect
        )
        writer.start { [self] session, jobs in self.runBatch(session, jobs) }
        pool.start { session, jobs in
            for case .operation(let body) in jobs { body(session) }
        }
        OSThread.start(name: "pg-leases") { [self] in renewLeasesUntilClosed() }
        OSThread.start(name: "pg-listen") { [self] in listenUntilClosed(connect: connect) }
    }

    // MARK: Wake-ups (LISTEN/NOTIFY)

    public func observeQueuedDeliveries(_ wake: @escaping @Sendable () -> Void) {
        wakeObserver.withLock { $0 = wake }
    }

    /// `NOTIFY`, delivered to every listening receiver when the transaction commits.
    private func notifyQueued(_ connection: PostgresConnection) throws {
        try connection.query("SELECT pg_notify($1, '')", [.text(channel)])
    }

    /// Listens on the channel on a connection of its own until closed, waking the observer at each notification;
    /// a lost connection is opened again with the sessions' backoff.
    private func listenUntilClosed(connect: @escaping @Sendable () throws -> PostgresConnection) {
        let session = PostgresSession(connect: connect, onReconnect: {})
        var isListening = false
        while !stopping.wait(until: { $0 }, timeout: .zero) {
            do {
                let notified = try session.with { connection -> Bool in
                    if !isListening {
                        try connection.execute("LISTEN \(channel)")
                        isListening = true
                    }
                    return try connection.waitForNotifications(timeoutMilliseconds: 500)
                }
                if notified, let wake = wakeObserver.withLock({ $0 }) { wake() }
            } catch {
                isListening = false
                _ = stopping.wait(until: { $0 }, timeout: .milliseconds(200))
            }
        }
        session.close()
    }

    deinit {
        close()
    }

    public var connectionPool: ConnectionPoolState? {
        ConnectionPoolState(connections: writer.count + pool.count, waiting: writer.waiting + pool.waiting)
    }

    /// Connections opened again after one was lost, since the store opened.
    public var reconnects: Int { counters.reconnects.load(ordering: .relaxed) }

    private func database(_ connection: PostgresConnection) -> PostgresDatabase {
        PostgresDatabase(connection: connection, schema: quotedSchema, owner: options.receiverName)
    }

    // MARK: Health

    private func noteFailure(_ error: any Error, isWrite: Bool) {
        let fault = Self.fault(of: error)
        health.withLock {
            if isWrite { $0.lastWriteFailed = true }
            $0.isFaulted = true
        }
        if let fault { observeHealth(.fault(fault)) }
    }

    private func noteWriteSuccess() {
        let recovered = health.withLock { health -> Bool in
            defer { health = Health() }
            return health.isFaulted
        }
        if recovered { observeHealth(.recovered) }
    }

    /// The store-error kind of a failure of the database (nil for the inbox's own refusals).
    static func fault(of error: any Error) -> StoreFault? {
        guard let error = error as? PostgresError else { return nil }
        let kind: StoreFault.Kind =
            if error.isConnectionFailure {
                .unavailable
            } else if error.sqlState == "53100" {
                .full
            } else if error.sqlState == "55P03" || error.isRetryable {
                .busy
            } else if error.sqlState?.hasPrefix("XX") == true {
                .damaged
            } else {
                .other
            }
        return StoreFault(kind: kind, detail: error.description)
    }

    // MARK: The writer

    /// One batch of the writer thread: the records (and rejected bodies) waiting, in one transaction, tried
    /// again up to twice after a deadlock or serialization failure; their completions after it ended.
    private func runBatch(_ session: PostgresSession, _ jobs: [PostgresThreads.Job]) {
        var outcomes: [RecordOutcome?] = []
        var failure: (any Error)?
        for attempt in 1...3 {
            do {
                outcomes = try session.with { connection in
                    try connection.transaction {
                        let database = database(connection)
                        let outcomes = try jobs.map { job -> RecordOutcome? in
                            switch job {
                            case .record(let record, _): return try database.record(record)
                            case .rejected(let body, _):
                                try database.recordRejected(body)
                                return nil
                            case .operation: return nil
                            }
                        }
                        // Only when a delivery was queued: one round trip less for events no handler matches.
                        let queuedDeliveries = zip(jobs, outcomes).contains { job, outcome in
                            guard outcome == .accepted, case .record(let record, _) = job else { return false }
                            return !record.handlers.isEmpty || !record.handlersIfStale.isEmpty
                        }
                        if queuedDeliveries { try notifyQueued(connection) }
                        return outcomes
                    }
                }
                failure = nil
                break
            } catch let error as PostgresError where error.isRetryable && attempt < 3 {
                failure = error
                continue
            } catch {
                failure = error
                break
            }
        }
        if let failure {
            noteFailure(failure, isWrite: true)
        } else {
            noteWriteSuccess()
        }
        for (index, job) in jobs.enumerated() {
            switch job {
            case .record(_, let completion):
                if let failure {
                    completion(.failure(failure))
                } else {
                    completion(.success(outcomes[index] ?? .duplicate))
                }
            case .rejected(_, let completion):
                completion(failure.map { .failure($0) } ?? .success(()))
            case .operation:
                break
            }
        }
    }

    public func record(
        _ record: InboxRecord,
        completion: @escaping @Sendable (Result<RecordOutcome, any Error>) -> Void
    ) {
        if !writer.submit(.record(record, completion)) {
            completion(.failure(InboxError.closed("record")))
        }
    }

    public func recordRejected(
        _ body: RejectedBody,
        completion: @escaping @Sendable (Result<Void, any Error>) -> Void
    ) {
        if !writer.submit(.rejected(body, completion)) {
            completion(.failure(InboxError.closed("recordRejected")))
        }
    }

    // MARK: Operations on the pool

    /// Runs `body` in a transaction on a pool thread's connection and returns its result to the awaiting task.
    private func perform<T: Sendable>(
        _ operation: String,
        isWrite: Bool = true,
        notifies: Bool = false,
        _ body: @escaping @Sendable (PostgresDatabase) throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let isQueued = pool.submit(
                .operation { [self] session in
                    let result = Result {
                        try session.with { connection in
                            try connection.transaction {
                                let result = try body(database(connection))
                                if notifies { try notifyQueued(connection) }
                                return result
                            }
                        }
                    }
                    if case .failure(let error) = result {
                        if Self.fault(of: error) != nil { noteFailure(error, isWrite: isWrite) }
                    } else if isWrite {
                        noteWriteSuccess()
                    }
                    continuation.resume(with: result)
                }
            )
            if !isQueued {
                continuation.resume(throwing: InboxError.closed(operation))
            }
        }
    }

    public func claimDue(now: Date, slots: [String: Int]) async throws -> [ClaimedDelivery] {
        let now = StoreTime.milliseconds(now)
        let lease = leaseMilliseconds
        return try await perform("claimDue") { database in
            _ = try database.requeueExpired(now: now)
            return try database.claimDue(now: now, slots: slots, lease: lease)
        }
    }

    public func complete(_ delivery: Delivery.ID, now: Date) async throws {
        let now = StoreTime.milliseconds(now)
        try await perform("complete") { try $0.complete(delivery.rawValue, now: now) }
    }

    public func fail(_ delivery: Delivery.ID, error: String, retryAt: Date?, now: Date) async throws {
        let now = StoreTime.milliseconds(now)
        let retryAt = retryAt.map(StoreTime.milliseconds)
        try await perform("fail") { try $0.fail(delivery.rawValue, error: error, retryAt: retryAt, now: now) }
    }

    public func release(_ delivery: Delivery.ID, now: Date) async throws {
        let now = StoreTime.milliseconds(now)
        try await perform("release") { try $0.release(delivery.rawValue, now: now) }
    }

    public func requeueRunning(now: Date) async throws -> Int {
        let now = StoreTime.milliseconds(now)
        return try await perform("requeueRunning") { try $0.requeueRunning(now: now) }
    }

    public func replay(key: String, handler: String?, now: Date) async throws -> Int {
        let now = StoreTime.milliseconds(now)
        return try await perform("replay", notifies: true) { try $0.replay(key: key, handler: handler, now: now) }
    }

    public func replayDead(now: Date) async throws -> Int {
        let now = StoreTime.milliseconds(now)
        return try await perform("replayDead", notifies: true) { try $0.replayDead(now: now) }
    }

    public func replay(
        matching query: EventQuery,
        handler: String?,
        now: Date,
        spacing: Duration,
        dryRun: Bool
    ) async throws -> Int {
        let now = StoreTime.milliseconds(now)
        let selected = try await perform("replay", isWrite: false) {
            try $0.deliveries(matching: query, handler: handler)
        }
        guard !dryRun else { return selected.count }
        // Row locks only: transactions of 1,000 hold up no receiver's commits.
        return try await ReplayPace.queue(selected, from: now, spacing: spacing, batchSize: 1000) { batch, due in
            try await perform("replay", notifies: true) { try $0.requeue(batch, due: due, now: now) }
        }
    }

    public func listEvents(_ query: EventQuery) async throws -> [EventSummary] {
        try await perform("listEvents", isWrite: false) { try $0.listEvents(query) }
    }

    public func subjectTimeline(_ subjectId: String) async throws -> [SubjectEvent] {
        try await perform("subjectTimeline", isWrite: false) { try $0.subjectTimeline(subjectId) }
    }

    public func event(key: String) async throws -> EventDetail? {
        try await perform("event", isWrite: false) { try $0.event(key: key) }
    }

    public func prune(now: Date, payloadRetentionDays: Int, keyRetentionDays: Int) async throws -> Int {
        let now = StoreTime.milliseconds(now)
        let payloadCutoff = now - Int64(payloadRetentionDays) * Retention.dayMilliseconds
        let keyCutoff = now - Int64(keyRetentionDays) * Retention.dayMilliseconds
        return try await perform("prune") {
            try $0.prune(now: now, payloadCutoff: payloadCutoff, keyCutoff: keyCutoff)
        }
    }

    public func queueDepth(now: Date) async throws -> QueueDepth {
        let now = StoreTime.milliseconds(now)
        return try await perform("queueDepth", isWrite: false) { try $0.queueDepth(now: now) }
    }

    /// Throws unless the store can commit now: a probe write after a failed one, else a round trip.
    public func ping() async throws {
        let lastWriteFailed = health.withLock { $0.lastWriteFailed }
        if lastWriteFailed {
            try await perform("ping") { try $0.probeWrite() }
        } else {
            try await perform("ping", isWrite: false) { try $0.ping() }
        }
    }

    // MARK: Leases

    /// Every third of the lease, extends the leases of the deliveries this receiver runs, until closed.
    private func renewLeasesUntilClosed() {
        let interval = Duration.milliseconds(max(1, leaseMilliseconds / 3))
        let clock = options.clock
        while !stopping.wait(until: { $0 }, timeout: interval) {
            let lease = leaseMilliseconds
            _ = pool.submit(
                .operation { [self] session in
                    let now = StoreTime.milliseconds(clock())
                    _ = try? session.with { connection in
                        try connection.transaction { try database(connection).renewLeases(now: now, lease: lease) }
                    }
                }
            )
        }
    }

    /// Finishes the queued work, stops the threads and closes the connections. Idempotent.
    public func close() {
        guard isClosed.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        // The lease and listener threads see `stopping` within half a second and exit by themselves, closing
        // their connections; waiting for them here would hold the caller (often a cooperative-pool thread).
        stopping.withLock { $0 = true }
        writer.close()
        pool.close()
    }
}

/// A connection confined to one thread, opened on first use and again after it was lost, with a backoff.
final class PostgresSession {
    private let connect: @Sendable () throws -> PostgresConnection
    private let onReconnect: @Sendable () -> Void
    private var connection: PostgresConnection?
    private var hasConnected = false
    private var retryAt: ContinuousClock.Instant?
    private var backoff: Duration = .milliseconds(100)

    init(connect: @escaping @Sendable () throws -> PostgresConnection, onReconnect: @escaping @Sendable () -> Void) {
        self.connect = connect
        self.onReconnect = onReconnect
    }

    /// Runs `body` on the connection, opening it first if needed. A failure of the connection drops it, so the
    /// next call opens a new one (no sooner than the backoff allows: until then, calls fail at once).
    func with<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        if let current = connection, !current.isOpen {
            current.close()
            connection = nil
        }
        if connection == nil {
            let clock = ContinuousClock()
            if let retryAt, clock.now < retryAt {
                throw PostgresError(sqlState: nil, message: "not connected; reconnecting", operation: "connecting")
            }
            do {
                connection = try connect()
                if hasConnected { onReconnect() }
                hasConnected = true
                backoff = .milliseconds(100)
                retryAt = nil
            } catch {
                retryAt = clock.now.advanced(by: backoff)
                backoff = min(backoff * 2, .seconds(5))
                throw error
            }
        }
        do {
            return try body(connection!)
        } catch let error as PostgresError where error.isConnectionFailure {
            connection?.close()
            connection = nil
            hasConnected = true
            throw error
        }
    }

    func close() {
        connection?.close()
        connection = nil
    }
}

/// Threads that each own a ``PostgresSession`` and take jobs from one queue: the writer takes every waiting
/// record at once (a batch), a pool thread one operation at a time.
final class PostgresThreads: Sendable {
    enum Job: Sendable {
        case record(InboxRecord, @Sendable (Result<RecordOutcome, any Error>) -> Void)
        case rejected(RejectedBody, @Sendable (Result<Void, any Error>) -> Void)
        /// Runs on the thread with its session; it resumes its own continuation.
        case operation(@Sendable (PostgresSession) -> Void)
    }

    private struct Queue: Sendable {
        var jobs: [Job] = []
        var isClosing = false
        var running = 0
    }

    private let name: String
    /// Its threads, each with one connection.
    let count: Int
    private let maxBatchSize: Int
    private let queue = ConditionLock(Queue())
    private let connect: @Sendable () throws -> PostgresConnection
    private let onReconnect: @Sendable () -> Void

    init(
        name: String,
        count: Int,
        maxBatchSize: Int = 1000,
        connect: @escaping @Sendable () throws -> PostgresConnection,
        onReconnect: @escaping @Sendable () -> Void
    ) {
        self.name = name
        self.count = count
        self.maxBatchSize = maxBatchSize
        self.connect = connect
        self.onReconnect = onReconnect
    }

    /// Starts the threads; each runs `body` with the jobs it took (a batch of records for a single-thread
    /// writer, one job otherwise) until ``close()``, finishing the jobs queued before it.
    func start(_ body: @escaping @Sendable (PostgresSession, [Job]) -> Void) {
        let takesBatches = count == 1
        for index in 0..<count {
            queue.withLock { $0.running += 1 }
            OSThread.start(name: "\(name)-\(index)") { [self] in
                let session = PostgresSession(connect: connect, onReconnect: onReconnect)
                while true {
                    let taken = queue.wait(until: { !$0.jobs.isEmpty || $0.isClosing }) { queue -> [Job]? in
                        guard !queue.jobs.isEmpty else { return nil }
                        let size = takesBatches ? min(maxBatchSize, queue.jobs.count) : 1
                        let jobs = Array(queue.jobs.prefix(size))
                        queue.jobs.removeFirst(size)
                        return jobs
                    }
                    guard let jobs = taken else { break }
                    body(session, jobs)
                }
                session.close()
                queue.withLock { $0.running -= 1 }
            }
        }
    }

    /// Jobs queued and not yet taken by a thread.
    var waiting: Int { queue.withLock { $0.jobs.count } }

    /// Queues `job`; false once closing.
    func submit(_ job: Job) -> Bool {
        queue.withLock { queue in
            guard !queue.isClosing else { return false }
            queue.jobs.append(job)
            return true
        }
    }

    /// Lets the threads finish what is queued, then waits (bounded) for them to exit.
    func close() {
        queue.withLock { $0.isClosing = true }
        queue.wait(until: { $0.running == 0 }, timeout: .seconds(30))
    }
}
