public import Foundation
import Synchronization
import SystemSupport

/// The embedded ``Inbox``: one SQLite file in WAL mode with `synchronous=FULL`, so a commit is on disk before
/// `record` completes.
///
/// One writer thread of its own (not the cooperative pool) owns the write connection; `record` and
/// `recordRejected` only queue work and never block on disk, and records waiting together are committed in
/// one transaction (group commit). The async methods run on the same thread, bridged with checked
/// continuations. Other processes (the CLI's `events list`, `replay`) may open the same file meanwhile:
/// WAL and the busy timeout let them, and a replay they commit is seen by the next `claimDue`.
///
/// Open creates the folder (0700) and file (0600) when missing and applies the migrations.
///
/// ```swift
/// let inbox = try SQLiteInbox(path: "data/kyc-webhooks.sqlite3")
/// inbox.record(record) { result in /* on the writer thread, after COMMIT */ }
/// defer { inbox.close() }
/// ```
public final class SQLiteInbox: Inbox {
    /// How the SQLite inbox runs.
    public struct Options: Sendable {
        /// Commit all records waiting together in one transaction (one fsync for many); false commits each in
        /// its own transaction (only to measure the difference).
        public var groupCommit: Bool
        /// How long a write waits for another process's lock before failing with `SQLITE_BUSY`.
        public var busyTimeout: Duration
        /// The most jobs the writer takes at once (bounds one transaction's size and latency).
        public var maxBatchSize: Int
        /// The WAL size (pages) at which the checkpointer thread copies it into the database file.
        public var checkpointPages: Int
        /// Read the recorded keys (held in memory to find duplicates) as soon as the store opens, on the
        /// writer thread, rather than on the first event recorded: for the daemon, not for the CLI.
        public var preloadKeys: Bool

        /// - Parameters:
        ///   - groupCommit: commit waiting records together (default true).
        ///   - busyTimeout: wait for other processes' locks (default 5 s).
        ///   - maxBatchSize: the most jobs per wake-up of the writer (default 1000).
        ///   - checkpointPages: WAL pages that start a background checkpoint (default 250, 1 MiB; SQLite's own
        ///     is 1000). The checkpoint's fsync of the database file makes the device flush what it copied, and
        ///     the commits' WAL fsyncs wait behind that flush: smaller checkpoints keep those waits short
        ///     (bench, A/B on the pinned core: p99 ~5.1 ms at 1000 pages, ~3.9 at 500, ~3.2 at 250, ~2.9 at
        ///     100, where throughput starts to fall).
        ///   - preloadKeys: read the recorded keys at open (default false).
        ///   - createIfMissing: create the file when there is none (default true: the daemon); false for commands
        ///     that only use a store, which then fail with ``InboxError/Code/storeMissing``.
        ///   - verifyContent: read the whole file once at open (`PRAGMA quick_check`) and refuse a damaged one
        ///     (default true; see ``StoreFileCheck``). An existing file is always checked to be a store of ours.
        public init(
            groupCommit: Bool = true,
            busyTimeout: Duration = .seconds(5),
            maxBatchSize: Int = 1000,
            checkpointPages: Int = 250,
            preloadKeys: Bool = false,
            createIfMissing: Bool = true,
            verifyContent: Bool = true
        ) {
            self.groupCommit = groupCommit
            self.busyTimeout = busyTimeout
            self.maxBatchSize = maxBatchSize
            self.checkpointPages = checkpointPages
            self.preloadKeys = preloadKeys
            self.createIfMissing = createIfMissing
            self.verifyContent = verifyContent
        }

        /// Create the file when there is none; see ``init(groupCommit:busyTimeout:maxBatchSize:checkpointPages:preloadKeys:createIfMissing:verifyContent:)``.
        public var createIfMissing: Bool
        /// Check every page at open.
        public var verifyContent: Bool
    }

    private let writer: InboxWriter
    private let checkpointer: InboxCheckpointer
    public let path: String
    /// Whether this open read the whole file (`quick_check`), or skipped it after a clean shutdown.
    public let didVerifyContent: Bool
    /// The daemon's inbox leaves a clean-shutdown mark when it closes (``StoreFileCheck``).
    private let marksCleanShutdown: Bool
    private let isClosed = Atomic<Bool>(false)

    // MARK: Initialization

    /// Opens (creating if needed) the database at `path` and starts its writer thread.
    /// - Parameters:
    ///   - path: the database file; missing folders are created with mode 0700, the file with 0600.
    ///   - options: see ``Options``.
    /// - Throws: ``StoreFileError`` when the folder or file cannot be created, ``SQLiteError`` when SQLite
    ///   cannot open, configure or migrate it, ``InboxError`` when a newer program wrote its schema, when an
    ///   existing file is not a whole store of ours (``StoreFileCheck``), or when there is none and
    ///   `createIfMissing` is false.
    public init(
        path: String,
        options: Options = Options(),
        observeHealth: @escaping @Sendable (StoreHealthEvent) -> Void = { _ in }
    ) throws {
        let milliseconds = options.busyTimeout.inWholeMilliseconds
        if !DatabaseFile.exists(path) {
            guard options.createIfMissing else {
                throw InboxError(
                    .storeMissing,
                    "There is no store at \(path): the daemon (kyc-webhooks serve) creates it on its first start. "
                        + "Check store.path in the configuration, or run the command from the daemon's directory."
                )
            }
            try DatabaseFile.create(path: path) { temporary in
                let connection = try SQLiteConnection(path: temporary, busyTimeoutMilliseconds: 0)
                try Self.configure(connection)
                try SQLiteMigrations.migrate(connection)
                try connection.close()
            }
        }
        try StoreFileCheck.checkNotEmpty(path: path)
        let isAsLeftAtCleanShutdown = options.verifyContent && StoreFileCheck.consumeCleanShutdownMark(path: path)
        let connection = try SQLiteConnection(
            path: path,
            busyTimeoutMilliseconds: Int32(clamping: milliseconds)
        )
        try StoreFileCheck.check(
            connection,
            path: path,
            knownSchemaVersion: SQLiteMigrations.all.count,
            verifyContent: options.verifyContent && !isAsLeftAtCleanShutdown
        )
        self.didVerifyContent = options.verifyContent && !isAsLeftAtCleanShutdown
        self.marksCleanShutdown = options.verifyContent
        try Self.configure(connection)
        try SQLiteMigrations.migrate(connection)
        self.path = path
        let checkpointConnection = try SQLiteConnection(
            path: path,
            busyTimeoutMilliseconds: Int32(clamping: milliseconds)
        )
        // Reading the header puts the connection in WAL mode; until then a checkpoint on it does nothing.
        guard try checkpointConnection.text("PRAGMA journal_mode")?.lowercased() == "wal" else {
            throw SQLiteError(resultCode: 1, message: "journal_mode is not wal", operation: "opening the checkpointer")
        }
        checkpointer = InboxCheckpointer(connection: checkpointConnection, pages: options.checkpointPages)
        connection.observeWAL(checkpointer)
        writer = InboxWriter(
            database: InboxDatabase(connection: connection),
            checkpointer: checkpointer,
            groupCommit: options.groupCommit,
            maxBatchSize: options.maxBatchSize,
            observeHealth: observeHealth
        )
        writer.start(name: "inbox-writer")
        checkpointer.start(name: "inbox-checkpoint")
        if options.preloadKeys {
            // Queued first, so it runs before any record; should it fail, the first record reads them.
            _ = writer.submit(.operation { writer in try? writer.read { try $0.keys.preload($0.connection) } })
        }
    }

    deinit {
        close()
    }

    /// WAL (readers never block the writer, other processes can read and write), `synchronous=FULL` (the WAL
    /// is synced at each commit: a completed `record` survives power loss), foreign keys on.
    private static func configure(_ connection: SQLiteConnection) throws {
        let mode = try connection.text("PRAGMA journal_mode = WAL")
        guard mode?.lowercased() == "wal" else {
            throw SQLiteError(resultCode: 1, message: "journal_mode is \(mode ?? "unknown")", operation: "enabling WAL")
        }
        try connection.execute("PRAGMA synchronous = FULL")
        try connection.execute("PRAGMA foreign_keys = ON")
        guard try connection.integer("PRAGMA foreign_keys") == 1 else {
            throw SQLiteError(resultCode: 1, message: "foreign keys unsupported", operation: "enabling foreign keys")
        }
    }

    // MARK: Bridging

    /// Runs `body` on the writer thread and returns its result to the awaiting task (never blocks the pool).
    private func perform<T: Sendable>(
        _ operation: String,
        _ body: @escaping @Sendable (InboxWriter) throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let isQueued = writer.submit(
                .operation { writer in continuation.resume(with: Result { try body(writer) }) }
            )
            if !isQueued {
                continuation.resume(throwing: InboxError.closed(operation))
            }
        }
    }

    // MARK: Recording

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

    // MARK: Deliveries

    public func claimDue(now: Date, slots: [String: Int]) async throws -> [ClaimedDelivery] {
        let now = StoreTime.milliseconds(now)
        return try await perform("claimDue") { try $0.write { try $0.claimDue(now: now, slots: slots) } }
    }

    public func complete(_ delivery: Delivery.ID, now: Date) async throws {
        let now = StoreTime.milliseconds(now)
        try await perform("complete") { try $0.write { try $0.complete(delivery.rawValue, now: now) } }
    }

    public func fail(_ delivery: Delivery.ID, error: String, retryAt: Date?, now: Date) async throws {
        let now = StoreTime.milliseconds(now)
        let retryAt = retryAt.map(StoreTime.milliseconds)
        try await perform("fail") {
            try $0.write { try $0.fail(delivery.rawValue, error: error, retryAt: retryAt, now: now) }
        }
    }

    public func release(_ delivery: Delivery.ID, now: Date) async throws {
        let now = StoreTime.milliseconds(now)
        try await perform("release") { try $0.write { try $0.release(delivery.rawValue, now: now) } }
    }

    public func requeueRunning(now: Date) async throws -> Int {
        let now = StoreTime.milliseconds(now)
        return try await perform("requeueRunning") { try $0.write { try $0.requeueRunning(now: now) } }
    }

    public func replay(key: String, handler: String?, now: Date) async throws -> Int {
        let now = StoreTime.milliseconds(now)
        return try await perform("replay") { try $0.write { try $0.replay(key: key, handler: handler, now: now) } }
    }

    public func replayDead(now: Date) async throws -> Int {
        let now = StoreTime.milliseconds(now)
        return try await perform("replayDead") { try $0.write { try $0.replayDead(now: now) } }
    }

    /// Deliveries a replay by filter queues per transaction, and its pause between them.
    static let replayBatchSize = 200
    static let replayPause = Duration.milliseconds(10)

    public func replay(
        matching query: EventQuery,
        handler: String?,
        now: Date,
        spacing: Duration,
        dryRun: Bool
    ) async throws -> Int {
        let now = StoreTime.milliseconds(now)
        let selected = try await perform("replay") {
            try $0.read { try $0.deliveries(matching: query, handler: handler) }
        }
        guard !dryRun else { return selected.count }
        // In small transactions with a pause after each, so that the daemon's writer, sharing the file (one
        // writer at a time), commits new events between them: measured on a million-event store with a
        // 100,000-delivery replay under load, transactions of 1,000 back to back took the receive path's p99
        // from 11 ms to 384 ms.
        return try await ReplayPace.queue(
            selected,
            from: now,
            spacing: spacing,
            batchSize: Self.replayBatchSize,
            pause: Self.replayPause
        ) { batch, due in
            try await perform("replay") { try $0.write { try $0.requeue(batch, due: due, now: now) } }
        }
    }

    // MARK: Reading

    public func listEvents(_ query: EventQuery) async throws -> [EventSummary] {
        try await perform("listEvents") { try $0.read { try $0.listEvents(query) } }
    }

    public func subjectTimeline(_ subjectId: String) async throws -> [SubjectEvent] {
        try await perform("subjectTimeline") { try $0.read { try $0.subjectTimeline(subjectId) } }
    }

    public func event(key: String) async throws -> EventDetail? {
        try await perform("event") { try $0.read { try $0.event(key: key) } }
    }

    // MARK: Maintenance

    public func prune(now: Date, payloadRetentionDays: Int, keyRetentionDays: Int) async throws -> Int {
        let now = StoreTime.milliseconds(now)
        let payloadCutoff = now - Int64(payloadRetentionDays) * Retention.dayMilliseconds
        let keyCutoff = now - Int64(keyRetentionDays) * Retention.dayMilliseconds
        return try await perform("prune") {
            try $0.write { try $0.prune(now: now, payloadCutoff: payloadCutoff, keyCutoff: keyCutoff) }
        }
    }

    public func queueDepth(now: Date) async throws -> QueueDepth {
        let now = StoreTime.milliseconds(now)
        return try await perform("queueDepth") { try $0.read { try $0.queueDepth(now: now) } }
    }

    /// Throws unless the store can commit now: it is not damaged, and its last write transaction committed or,
    /// when that one failed, a probe write commits (``InboxDatabase/probeWrite()``).
    public func ping() async throws {
        try await perform("ping") { writer in
            let state = writer.isReady
            if let damage = state.damage {
                throw InboxError(.storeDamaged, "the store is damaged (\(damage)); restore it from a backup")
            }
            if state.lastWriteFailed {
                try writer.write { try $0.probeWrite() }
            } else {
                try writer.read { try $0.ping() }
            }
        }
    }

    /// Finishes the queued writes, stops the writer thread and closes the connection; waits for that (a short,
    /// bounded wait: call it last at shutdown). Idempotent; afterwards every call fails with `closed`.
    public func close() {
        writer.close()
        checkpointer.close()
        guard !isClosed.exchange(true, ordering: .relaxed) else { return }
        if marksCleanShutdown, !writer.isReady.lastWriteFailed, writer.isReady.damage == nil {
            StoreFileCheck.recordCleanShutdown(path: path)
        }
    }

    // MARK: Observability and testing hooks

    /// Write transactions committed (with at least one changed row) since open: with group commit, far fewer
    /// than records under load.
    public var committedTransactionCount: Int { writer.committedTransactions }

    /// Checkpoints run since open: by the background checkpointer, and by the writer between transactions.
    var checkpointCounts: (background: Int, writer: Int) {
        (checkpointer.completedCheckpoints, checkpointer.writerCompletedCheckpoints)
    }

    /// Limits the database to `pages` pages (`PRAGMA max_page_count` on the write connection, never below its
    /// current size): writes that need more fail with `SQLITE_FULL` exactly as on a full disk. A testing hook
    /// for the "store unavailable" path; raise it again to see the store recover without reopening.
    /// - Returns: the limit now in force.
    public func setMaxPageCount(_ pages: Int) async throws -> Int {
        try await perform("setMaxPageCount") { try $0.read { try $0.setMaxPageCount(pages) } }
    }

    /// The database's size in pages (`PRAGMA page_count`).
    public func pageCount() async throws -> Int {
        try await perform("pageCount") { try $0.read { try $0.pageCount() } }
    }

    /// Testing: holds queued jobs (as a long commit would) until resumed, to show that they commit together.
    func pauseWriter() {
        writer.setPaused(true)
    }

    func resumeWriter() {
        writer.setPaused(false)
    }

    /// Testing: how many keys the writer holds in memory.
    func heldKeyCount() async throws -> Int {
        try await perform("heldKeyCount") { writer in try writer.read { $0.keys.count } }
    }

    /// Testing: a PRAGMA read on the write connection itself (`journal_mode`, `synchronous`, …).
    func pragma(_ name: String) async throws -> String? {
        try await perform("pragma") { writer in try writer.withConnection { try $0.text("PRAGMA \(name)") } }
    }
}
