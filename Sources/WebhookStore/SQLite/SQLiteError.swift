import Glibc

/// A failed SQLite call: its result code, SQLite's message and the operation, never a bound value.
///
/// Reads like GRDB's `DatabaseError`:
/// `SQLite error 13 (database or disk is full) - while executing INSERT INTO events …`.
public struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The (extended) result code, e.g. 13 for `SQLITE_FULL`, 5 for `SQLITE_BUSY`.
    public let resultCode: Int32
    /// `sqlite3_errmsg` at the time of the failure.
    public let message: String
    /// What was being done: a step name, or the SQL text (with `?` placeholders, never values).
    public let operation: String

    init(resultCode: Int32, message: String, operation: String) {
        self.resultCode = resultCode
        self.message = message
        self.operation = operation
    }

    /// The primary result code (the low byte of an extended one).
    public var primaryResultCode: Int32 { resultCode & 0xFF }

    /// `SQLITE_FULL`: the disk (or `max_page_count`) is full.
    public var isFull: Bool { primaryResultCode == 13 }

    /// `SQLITE_BUSY`: another connection held the lock past the busy timeout.
    public var isBusy: Bool { primaryResultCode == 5 }

    /// `SQLITE_CORRUPT`: a page of the file is damaged.
    public var isCorrupt: Bool { primaryResultCode == 11 }

    /// `SQLITE_NOTADB`: the file is not an SQLite database (or its header is damaged).
    public var isNotADatabase: Bool { primaryResultCode == 26 }

    /// `SQLITE_IOERR`: the operating system failed a read, write or sync.
    public var isIOError: Bool { primaryResultCode == 10 }

    public var description: String {
        "SQLite error \(resultCode) (\(message)) - while \(operation)"
    }
}

/// A failed file-system call while preparing the database file (`mkdir`, `open`, `chmod`).
public struct StoreFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let errno: Int32

    init(operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    public var description: String {
        "\(operation) \(path): \(String(cString: strerror(errno))) (errno: \(errno))"
    }
}
