import Glibc

/// What an existing SQLite file must be before the inbox trusts it: a database of ours, whole.
///
/// The store's history is what makes a redelivery `duplicate`. A file that lost it (emptied, replaced,
/// damaged) must not be taken for a new store, or every handler runs again for every old event; so the inbox
/// refuses to open it and says which file and what to do. Only a missing file is created (``DatabaseFile``).
///
/// The checks, in order, each naming the file in its error:
/// 1. not empty (a zero-length file is what `truncate -s 0` or a botched restore leaves);
/// 2. an SQLite database at all (SQLite's header; `SQLITE_NOTADB` otherwise);
/// 3. ours: `PRAGMA application_id` is ``applicationID``, or, for a file written before the id was set, 0 with
///    a known schema version and our `events` and `deliveries` tables;
/// 4. with `verifyContent`, whole: `PRAGMA quick_check` reads every page of every table and index (through
///    the WAL) and finds a zeroed or cut page anywhere. It costs a read of the whole file; see
///    docs/operations.md ("Start-up check") for the figures.
enum StoreFileCheck {
    /// `PRAGMA application_id` of a kyc-webhooks store: "KYCW" in ASCII.
    static let applicationID: Int64 = 0x4B59_4357

    /// Refuses an existing file that is not a whole store of ours; see the type's documentation.
    /// - Throws: ``InboxError`` `untrustedStore`, or ``SQLiteError`` when the file cannot be read at all.
    static func check(_ connection: SQLiteConnection, path: String, knownSchemaVersion: Int, verifyContent: Bool) throws {
        let header: (applicationID: Int64, schemaVersion: Int64, tables: Set<String>)
        do {
            header = (
                try connection.integer("PRAGMA application_id") ?? 0,
                try connection.integer("PRAGMA user_version") ?? 0,
                Set(try connection.statement("SELECT name FROM sqlite_schema WHERE type = 'table'").query { $0.text(0) ?? "" })
            )
        } catch let error as SQLiteError where error.isNotADatabase || error.isCorrupt {
            throw refusal(path, "is not an SQLite database (\(error.message))")
        }
        let hasOurTables = header.tables.isSuperset(of: ["events", "deliveries"])  // in every schema version
        switch header.applicationID {
        case applicationID:
            break
        case 0 where header.schemaVersion > 0 && header.schemaVersion <= Int64(knownSchemaVersion) && hasOurTables:
            break  // written before the id was set; migrating sets it
        case 0 where header.schemaVersion > Int64(knownSchemaVersion) && hasOurTables:
            break  // a newer version of ours: migrating refuses it with its own error
        case 0 where header.tables.isEmpty && header.schemaVersion == 0:
            throw refusal(path, "is an SQLite database with no tables, not a kyc-webhooks store")
        default:
            throw refusal(
                path,
                "is an SQLite database of another application (application_id \(header.applicationID), "
                    + "user_version \(header.schemaVersion))"
            )
        }
        guard verifyContent else { return }
        let problems: [String]
        do {
            problems = try connection.statement("PRAGMA quick_check(3)").query { $0.text(0) ?? "" }
        } catch let error as SQLiteError where error.isCorrupt || error.isNotADatabase || error.isIOError {
            throw refusal(path, "is damaged (\(error.message))")
        }
        guard problems == ["ok"] else {
            throw refusal(path, "is damaged: SQLite's quick_check found \(problems.joined(separator: "; "))")
        }
    }

    /// Refuses a zero-length file before SQLite would take it for a new, empty database.
    static func checkNotEmpty(path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { return }
        if info.st_size == 0 {
            throw refusal(path, "is empty (0 bytes), so the history that makes redeliveries duplicates is gone")
        }
    }

    private static func refusal(_ path: String, _ problem: String) -> InboxError {
        InboxError(
            .untrustedStore,
            "The store file \(path) \(problem). Restore it from a backup, or move it away to start with an empty "
                + "store (every event is then new again: handlers run again for redeliveries)."
        )
    }
}
