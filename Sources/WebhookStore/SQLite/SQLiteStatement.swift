internal import CSQLite

/// A value bound to a statement parameter.
enum SQLiteValue {
    case integer(Int64)
    case text(String)
    case blob([UInt8])
    case null

    static func optionalText(_ value: String?) -> SQLiteValue {
        value.map(SQLiteValue.text) ?? .null
    }
}

/// One prepared statement: owns its `sqlite3_stmt*`, finalized in `deinit`.
///
/// Used only by its ``SQLiteConnection``'s thread. Errors name the SQL text (placeholders only), never the
/// bound values (GRDB's `publicStatementArguments = false`).
final class SQLiteStatement {
    private let handle: OpaquePointer
    /// The connection's `sqlite3*`, for `sqlite3_errmsg`; the connection outlives its statements.
    private let database: OpaquePointer
    /// The SQL on one line, for error messages (placeholders only, never values).
    let sql: String

    init(database: OpaquePointer, sql: String, persistent: Bool) throws {
        var statement: OpaquePointer?
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let rc = sqlite3_prepare_v3(database, sql, -1, flags, &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            sqlite3_finalize(statement)
            throw SQLiteError(
                resultCode: rc,
                message: SQLiteConnection.message(database),
                operation: "preparing \(Self.oneLine(sql))"
            )
        }
        self.handle = statement
        self.database = database
        self.sql = Self.oneLine(sql)
    }

    deinit {
        // finalize's result repeats the last step's error, which was already reported.
        sqlite3_finalize(handle)
    }

    /// `sql` with each run of whitespace as one space.
    static func oneLine(_ sql: String) -> String {
        sql.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).joined(separator: " ")
    }

    // MARK: Binding

    /// Resets the statement and binds `values` to parameters 1, 2, …
    func bind(_ values: [SQLiteValue]) throws {
        // reset's result repeats the previous step's error (already reported): nothing new to check.
        sqlite3_reset(handle)
        try check(sqlite3_clear_bindings(handle), "clearing bindings of")
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch value {
            case .integer(let number):
                rc = sqlite3_bind_int64(handle, index, number)
            case .text(let text):
                rc = sqlite3_bind_text(handle, index, text, -1, CSQLite_transient())
            case .blob(let bytes):
                rc = bytes.withUnsafeBytes { buffer in
                    // A zero-length blob, not NULL, for an empty array: `zeroblob(0)`.
                    guard let base = buffer.baseAddress, !buffer.isEmpty else {
                        return sqlite3_bind_zeroblob(handle, index, 0)
                    }
                    return sqlite3_bind_blob(handle, index, base, Int32(buffer.count), CSQLite_transient())
                }
            case .null:
                rc = sqlite3_bind_null(handle, index)
            }
            try check(rc, "binding parameter \(index) of")
        }
    }

    // MARK: Stepping

    /// Steps once: true when a row is available, false when done.
    func step() throws -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = SQLiteError(
                resultCode: rc,
                message: SQLiteConnection.message(database),
                operation: "executing \(sql)"
            )
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Binds, runs to completion, and resets (so no read lock lingers).
    func execute(_ values: [SQLiteValue] = []) throws {
        try bind(values)
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    /// Binds, collects every row through `row`, and resets.
    func query<Row>(_ values: [SQLiteValue] = [], row: (SQLiteStatement) throws -> Row) throws -> [Row] {
        try bind(values)
        defer { sqlite3_reset(handle) }
        var rows: [Row] = []
        while try step() {
            rows.append(try row(self))
        }
        return rows
    }

    // MARK: Columns

    func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    func optionalInt64(_ column: Int32) -> Int64? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
    }

    func text(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    func blob(_ column: Int32) -> [UInt8]? {
        if sqlite3_column_type(handle, column) == SQLITE_NULL { return nil }
        let pointer = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        guard let pointer, count > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// `what` is built only for an error: binding runs for every parameter of every event.
    private func check(_ rc: Int32, _ what: @autoclosure () -> String) throws {
        guard rc == SQLITE_OK else {
            throw SQLiteError(
                resultCode: rc,
                message: SQLiteConnection.message(database),
                operation: "\(what()) \(sql)"
            )
        }
    }
}
