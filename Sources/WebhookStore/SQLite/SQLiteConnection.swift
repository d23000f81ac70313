internal import CSQLite

/// One SQLite connection: owns its `sqlite3*` and its cached statements, closed in ``close()`` or `deinit`.
///
/// Opened with `SQLITE_OPEN_NOMUTEX`: it is confined to one thread at a time (the opener, then the inbox's
/// writer thread), so SQLite's own mutexes would only cost time. Every return code is checked.
final class SQLiteConnection {
    private var handle: OpaquePointer?
    private var statements: [String: SQLiteStatement] = [:]
    /// Statements of SQL literals, by the literal's address: found without hashing the SQL's text.
    private var literalStatements: [UnsafeRawPointer: SQLiteStatement] = [:]
    /// The retained box ``observeWAL(_:)`` handed to SQLite, released after the connection closes.
    private var walObserver: UnsafeMutableRawPointer? {
        didSet { oldValue.map { Unmanaged<WALObserverBox>.fromOpaque($0).release() } }
    }

    /// Opens an existing file for reading and writing, with extended result codes.
    init(path: String, busyTimeoutMilliseconds: Int32) throws {
        var database: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &database, flags, nil)
        guard rc == SQLITE_OK, let database else {
            let message = database.map(Self.message) ?? "out of memory"
            sqlite3_close_v2(database)
            throw SQLiteError(resultCode: rc, message: message, operation: "opening the database")
        }
        handle = database
        try check(sqlite3_extended_result_codes(database, 1), "enabling extended result codes")
        try check(sqlite3_busy_timeout(database, busyTimeoutMilliseconds), "setting the busy timeout")
    }

    deinit {
        literalStatements.removeAll()
        statements.removeAll()
        if let handle {
            sqlite3_close_v2(handle)
        }
        walObserver = nil
    }

    static func message(_ database: OpaquePointer) -> String {
        String(cString: sqlite3_errmsg(database))
    }

    private func database(_ operation: @autoclosure () -> String) throws -> OpaquePointer {
        guard let handle else {
            throw SQLiteError(resultCode: SQLITE_MISUSE, message: "connection closed", operation: operation())
        }
        return handle
    }

    private func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws {
        guard rc == SQLITE_OK else {
            let message = handle.map(Self.message) ?? "connection closed"
            throw SQLiteError(resultCode: rc, message: message, operation: operation())
        }
    }

    // MARK: Statements

    /// The statement for `sql`, prepared once and kept (`SQLITE_PREPARE_PERSISTENT`).
    func statement(_ sql: String) throws -> SQLiteStatement {
        if let cached = statements[sql] { return cached }
        let statement = try SQLiteStatement(database: try database("preparing \(sql)"), sql: sql, persistent: true)
        statements[sql] = statement
        return statement
    }

    /// The statement for the literal `sql`, prepared once and kept; for the statements run for every event,
    /// found by the literal's address rather than by hashing its text.
    func statement(_ sql: StaticString) throws -> SQLiteStatement {
        let address = UnsafeRawPointer(sql.utf8Start)
        if let cached = literalStatements[address] { return cached }
        let statement = try statement(sql.description)
        literalStatements[address] = statement
        return statement
    }

    /// Runs one or more statements without parameters (migrations, transaction control).
    func execute(_ sql: String) throws {
        let database = try database("executing \(sql)")
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(database, sql, nil, nil, &error)
        defer { sqlite3_free(error) }
        guard rc == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? Self.message(database)
            throw SQLiteError(resultCode: rc, message: message, operation: "executing \(Self.summary(sql))")
        }
    }

    /// The first column of the first row of `sql` as an integer (PRAGMA reads).
    func integer(_ sql: String) throws -> Int64? {
        let statement = try SQLiteStatement(database: try database("preparing \(sql)"), sql: sql, persistent: false)
        return try statement.query { $0.optionalInt64(0) }.first ?? nil
    }

    /// The first column of the first row of `sql` as text (PRAGMA reads).
    func text(_ sql: String) throws -> String? {
        let statement = try SQLiteStatement(database: try database("preparing \(sql)"), sql: sql, persistent: false)
        return try statement.query { $0.text(0) }.first ?? nil
    }

    /// A migration's first 80 characters on one line, enough to name it in an error.
    private static func summary(_ sql: String) -> String {
        let line = SQLiteStatement.oneLine(sql)
        return line.count > 80 ? line.prefix(80) + "…" : line
    }

    // MARK: State

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int {
        handle.map { Int(sqlite3_changes64($0)) } ?? 0
    }

    /// The rowid of the last row inserted on this connection.
    var lastInsertRowID: Int64 {
        handle.map { sqlite3_last_insert_rowid($0) } ?? 0
    }

    /// Rows changed since the connection opened.
    var totalChanges: Int64 {
        handle.map { sqlite3_total_changes64($0) } ?? 0
    }

    /// Whether no transaction is open (SQLite may roll one back by itself after `SQLITE_FULL` or `SQLITE_IOERR`).
    var isAutocommit: Bool {
        handle.map { sqlite3_get_autocommit($0) != 0 } ?? true
    }

    // MARK: Transactions

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction: commits, or rolls back on a throw and rethrows the first
    /// error. Immediate, so the write lock is taken up front and waits the busy timeout instead of failing a
    /// deferred upgrade halfway.
    func inTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            rollback()
            throw error
        }
    }

    /// Runs `body` in a read transaction, so that several SELECTs see one snapshot.
    func inReadTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN DEFERRED")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            rollback()
            throw error
        }
    }

    /// Rolls back the open transaction, if SQLite has not already done so. The first error is what matters to
    /// the caller, so a failing rollback is not reported (the next BEGIN would report a stuck connection).
    private func rollback() {
        guard !isAutocommit else { return }
        try? execute("ROLLBACK")
    }

    // MARK: Write-ahead log

    /// How far a checkpoint got: frames in the WAL, and how many of them are now copied into the database.
    struct CheckpointProgress: Equatable {
        var walFrames: Int
        var checkpointedFrames: Int
    }

    /// Copies what WAL frames it can into the database file without waiting for any lock (a `PASSIVE`
    /// `sqlite3_wal_checkpoint_v2`), and fsyncs the file if it copied any.
    func checkpointPassively() throws -> CheckpointProgress {
        let database = try database("checkpointing")
        var log: Int32 = 0
        var copied: Int32 = 0
        try check(
            sqlite3_wal_checkpoint_v2(database, nil, SQLITE_CHECKPOINT_PASSIVE, &log, &copied),
            "checkpointing"
        )
        return CheckpointProgress(walFrames: Int(log), checkpointedFrames: Int(copied))
    }

    /// Calls `observer.walDidGrow(frames:)` after each commit with the frames now in the WAL, in place of
    /// SQLite's automatic checkpoint (which would copy pages on this connection's thread, inside a commit).
    /// The connection keeps the observer until it closes.
    func observeWAL(_ observer: any WALObserver) {
        guard let handle else { return }
        let box = Unmanaged.passRetained(WALObserverBox(observer)).toOpaque()
        walObserver = box
        sqlite3_wal_hook(
            handle,
            { context, _, _, frames in
                guard let context else { return SQLITE_OK }
                Unmanaged<WALObserverBox>.fromOpaque(context).takeUnretainedValue().observer.walDidGrow(
                    frames: Int(frames)
                )
                return SQLITE_OK
            },
            box
        )
    }

    // MARK: Closing

    /// Finalizes the cached statements and closes the connection.
    func close() throws {
        literalStatements.removeAll()
        statements.removeAll()
        guard let database = handle else { return }
        let rc = sqlite3_close(database)
        guard rc == SQLITE_OK else {
            throw SQLiteError(resultCode: rc, message: Self.message(database), operation: "closing the database")
        }
        handle = nil
        walObserver = nil
    }
}

/// Told how large the WAL has grown after each commit (see ``SQLiteConnection/observeWAL(_:)``).
protocol WALObserver: AnyObject, Sendable {
    func walDidGrow(frames: Int)
}

private final class WALObserverBox {
    let observer: any WALObserver

    init(_ observer: any WALObserver) {
        self.observer = observer
    }
}
