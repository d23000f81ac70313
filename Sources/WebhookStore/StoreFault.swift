/// A failure of the storage engine, as the store reports it to its owner (logs, metrics, readiness).
///
/// Says what kind of trouble and where, never a bound value: safe to log.
public struct StoreFault: Sendable, Equatable, CustomStringConvertible {
    /// What kind of trouble; the `kind` label of the store-error metric.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// A damaged page or file (`SQLITE_CORRUPT`, `SQLITE_NOTADB`). Latched: the store writes nothing more
        /// until it is restored and the daemon restarted.
        case damaged
        /// The operating system failed a read, write or sync (`SQLITE_IOERR`).
        case ioError = "io_error"
        /// The disk (or file-system quota) is full (`SQLITE_FULL`).
        case full
        /// Another process held the lock past the busy timeout (`SQLITE_BUSY`, `SQLITE_LOCKED`).
        case busy
        /// The database server cannot be reached, or the connection to it was lost (PostgreSQL): a commit in
        /// flight then has an unknown outcome and is answered 503.
        case unavailable
        /// Anything else the engine refused (`SQLITE_READONLY`, `SQLITE_CANTOPEN`, …).
        case other
    }

    public var kind: Kind
    /// The engine's own sentence and the operation, e.g. `SQLite error 13 (database or disk is full) - while …`.
    public var detail: String

    public init(kind: Kind, detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public var description: String { "\(kind.rawValue): \(detail)" }
}

/// What a store tells its owner about its health, on the thread that found it out (quick, thread-agnostic).
public enum StoreHealthEvent: Sendable, Equatable {
    /// An operation failed for a reason of the storage engine.
    case fault(StoreFault)
    /// A write committed again after failures.
    case recovered
    /// A connection to the database server was opened again after one was lost (postgres).
    case reconnected
}
