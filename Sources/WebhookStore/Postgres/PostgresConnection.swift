internal import CPostgres
import Glibc

/// A value bound to a query parameter: sent in text format, except bytes (binary, for `bytea`).
package enum PostgresValue: Sendable, Equatable {
    case null
    case text(String)
    case integer(Int64)
    case bytes([UInt8])
}

/// One libpq connection (`PGconn`), confined to one thread at a time: libpq blocks in every call, so a
/// connection lives on a thread of its own, never on an event loop or the cooperative pool (docs/architecture.md,
/// "Storage"). Closed in ``close()`` or `deinit`.
///
/// Errors carry the server's SQLSTATE and message and the operation, never the connection string (it may hold a
/// password) nor a bound value (it may hold personal data).
package final class PostgresConnection {
    private var handle: OpaquePointer?

    /// Connects with a libpq connection string or URI (`postgresql://user@host:5432/db`, `host=/tmp port=5433`).
    /// - Throws: ``PostgresError`` with the server's or libpq's message (which names the host, never the password).
    package init(connectionString: String) throws {
        let connection = PQconnectdb(connectionString)
        guard let connection else {
            throw PostgresError(sqlState: nil, message: "out of memory", operation: "connecting")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.message(connection)
            PQfinish(connection)
            throw PostgresError(sqlState: nil, message: message, operation: "connecting")
        }
        handle = connection
    }

    deinit { close() }

    /// Closes the connection; later calls throw.
    package func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// Whether the connection is still usable (false after the server went away).
    package var isOpen: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// The server's version as an integer (`150018` for 15.18).
    package var serverVersion: Int {
        guard let handle else { return 0 }
        return Int(PQserverVersion(handle))
    }

    private static func message(_ connection: OpaquePointer) -> String {
        guard let text = PQerrorMessage(connection) else { return "unknown error" }
        return String(cString: text).trimmingTrailingNewlines()
    }

    /// Runs one statement with `parameters` (`$1`, `$2` …) and returns its rows, every column as text (nil for
    /// NULL; `bytea` as `\x` hex, see ``PostgresRows/bytes(_:_:)``).
    ///
    /// - Parameters:
    ///   - sql: one statement; never built from values (they go in `parameters`).
    ///   - parameters: the values of `$1` … in order.
    /// - Throws: ``PostgresError``: the statement failed (SQLSTATE set) or the connection did (SQLSTATE nil).
    @discardableResult
    package func query(_ sql: String, _ parameters: [PostgresValue] = []) throws -> PostgresRows {
        guard let handle else {
            throw PostgresError(sqlState: nil, message: "connection closed", operation: Self.operation(sql))
        }
        // Owned copies of every parameter's bytes, alive until PQexecParams returns.
        var buffers: [[CChar]?] = []
        var lengths: [Int32] = []
        var formats: [Int32] = []
        for parameter in parameters {
            switch parameter {
            case .null:
                buffers.append(nil)
                lengths.append(0)
                formats.append(0)
            case .text(let text):
                buffers.append(Array(text.utf8CString))
                lengths.append(0)
                formats.append(0)
            case .integer(let value):
                buffers.append(Array(String(value).utf8CString))
                lengths.append(0)
                formats.append(0)
            case .bytes(let bytes):
                buffers.append(bytes.map { CChar(bitPattern: $0) })
                lengths.append(Int32(bytes.count))
                formats.append(1)
            }
        }
        let result = withPointers(to: buffers) { values in
            PQexecParams(handle, sql, Int32(parameters.count), nil, values, lengths, formats, 0)
        }
        guard let result else {
            throw PostgresError(sqlState: nil, message: Self.message(handle), operation: Self.operation(sql))
        }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
            PQclear(result)
            throw PostgresError(
                sqlState: sqlState,
                message: primary ?? Self.message(handle),
                operation: Self.operation(sql)
            )
        }
        return PostgresRows(result)
    }

    /// Runs statements without parameters, several separated by `;` (migrations, `BEGIN`, `COMMIT`).
    package func execute(_ sql: String) throws {
        guard let handle else {
            throw PostgresError(sqlState: nil, message: "connection closed", operation: Self.operation(sql))
        }
        guard let result = PQexec(handle, sql) else {
            throw PostgresError(sqlState: nil, message: Self.message(handle), operation: Self.operation(sql))
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY else {
            let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let primary = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
            throw PostgresError(
                sqlState: sqlState,
                message: primary ?? Self.message(handle),
                operation: Self.operation(sql)
            )
        }
    }

    /// Runs `body` in a transaction: `COMMIT` after it returns, `ROLLBACK` when it throws. A `COMMIT` that
    /// fails throws; when the connection dropped during it, its outcome is unknown
    /// (``PostgresError/isConnectionFailure``), which the caller must treat as not committed.
    package func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        let result: T
        do {
            result = try body()
        } catch {
            if isOpen { try? execute("ROLLBACK") }
            throw error
        }
        try execute("COMMIT")
        return result
    }

    /// Waits up to `timeout` milliseconds for a notification of a channel this connection `LISTEN`s to, and
    /// takes every one that arrived. Returns whether any did.
    /// - Throws: ``PostgresError`` (a connection failure) when the connection is lost.
    package func waitForNotifications(timeoutMilliseconds: Int32) throws -> Bool {
        guard let handle else {
            throw PostgresError(sqlState: nil, message: "connection closed", operation: "waiting for notifications")
        }
        var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, timeoutMilliseconds)
        if ready < 0 && errno != EINTR {
            throw PostgresError(sqlState: nil, message: "poll failed", operation: "waiting for notifications")
        }
        guard PQconsumeInput(handle) == 1 else {
            throw PostgresError(sqlState: nil, message: Self.message(handle), operation: "waiting for notifications")
        }
        var any = false
        while let notification = PQnotifies(handle) {
            PQfreemem(notification)
            any = true
        }
        return any
    }

    /// The current value of a server setting (`SHOW name`).
    package func setting(_ name: String) throws -> String? {
        try query("SELECT current_setting($1)", [.text(name)]).text(0, 0)
    }

    /// The first line of `sql`, shortened: what an error names (placeholders only, never values).
    private static func operation(_ sql: String) -> String {
        let firstLine = sql.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? ""
        let trimmed = firstLine.trimmingCharacters(in: " ")
        return trimmed.count > 120 ? String(trimmed.prefix(120)) + "…" : trimmed
    }

    private func withPointers<Result>(
        to buffers: [[CChar]?],
        _ body: ([UnsafePointer<CChar>?]) -> Result
    ) -> Result {
        var pointers: [UnsafePointer<CChar>?] = []
        pointers.reserveCapacity(buffers.count)
        func bind(_ index: Int) -> Result {
            guard index < buffers.count else { return body(pointers) }
            guard let buffer = buffers[index] else {
                pointers.append(nil)
                return bind(index + 1)
            }
            return buffer.withUnsafeBufferPointer { pointer in
                pointers.append(pointer.baseAddress)
                return bind(index + 1)
            }
        }
        return bind(0)
    }
}

/// The rows of one result, owned until deinit (`PQclear`). Cells are read as text.
package final class PostgresRows {
    private let result: OpaquePointer

    fileprivate init(_ result: OpaquePointer) { self.result = result }

    deinit { PQclear(result) }

    package var count: Int { Int(PQntuples(result)) }

    package var columnCount: Int { Int(PQnfields(result)) }

    /// Rows changed by an INSERT, UPDATE or DELETE.
    package var affectedRows: Int { Int(String(cString: PQcmdTuples(result))) ?? 0 }

    /// The cell as text, nil for NULL.
    package func text(_ row: Int, _ column: Int) -> String? {
        guard row < count, column < columnCount, PQgetisnull(result, Int32(row), Int32(column)) == 0 else {
            return nil
        }
        return String(cString: PQgetvalue(result, Int32(row), Int32(column)))
    }

    package func int64(_ row: Int, _ column: Int) -> Int64? { text(row, column).flatMap { Int64($0) } }

    /// A `bytea` cell (text format: `\x` and two hex digits a byte), nil for NULL or another format.
    package func bytes(_ row: Int, _ column: Int) -> [UInt8]? {
        guard let text = text(row, column), text.hasPrefix("\\x") else { return nil }
        let digits = Array(text.utf8.dropFirst(2))
        guard digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = Self.hexValue(digits[index]), let low = Self.hexValue(digits[index + 1]) else {
                return nil
            }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// A failed PostgreSQL call: the SQLSTATE (nil when the connection itself failed), the server's or libpq's
/// message, and the operation (the statement's first line, placeholders only). Never a connection string nor
/// a bound value.
public struct PostgresError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The five-character SQLSTATE (`23505` unique violation), nil for a connection failure.
    public let sqlState: String?
    public let message: String
    public let operation: String

    init(sqlState: String?, message: String, operation: String) {
        self.sqlState = sqlState
        self.message = message
        self.operation = operation
    }

    /// `23505`: a unique constraint refused the row.
    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// No SQLSTATE, class 08 (connection exception) or 57P (the server is shutting down or starting): the
    /// connection failed or was lost, so the statement's outcome may be unknown.
    public var isConnectionFailure: Bool {
        guard let sqlState else { return true }
        return sqlState.hasPrefix("08") || sqlState.hasPrefix("57P")
    }

    /// `40P01` (deadlock) or `40001` (serialization failure): the transaction was rolled back and may be
    /// tried again as it was.
    public var isRetryable: Bool { sqlState == "40P01" || sqlState == "40001" }

    public var description: String {
        "PostgreSQL error \(sqlState ?? "(connection)") (\(message)) - while \(operation)"
    }
}

extension String {
    fileprivate func trimmingTrailingNewlines() -> String {
        var text = Substring(self)
        while text.last == "\n" || text.last == "\r" { text = text.dropLast() }
        return String(text)
    }

    fileprivate func trimmingCharacters(in character: Character) -> String {
        var text = Substring(self)
        while text.first == character { text = text.dropFirst() }
        while text.last == character { text = text.dropLast() }
        return String(text)
    }
}
