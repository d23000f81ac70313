import Foundation
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
///    the WAL) and finds a zeroed or cut page anywhere. It costs a read of the whole file (measured on a
///    4.3 GB store of a million events: 9 s from the page cache, 100 s from this machine's disk), so it is
///    skipped when the file is exactly as the daemon left it at a clean shutdown (``consumeCleanShutdownMark(path:)``):
///    a restart after a deploy is fast; a start after a crash, or after anything touched the file while no
///    daemon ran, reads it all. See docs/operations.md ("Start-up check").
enum StoreFileCheck {
    /// `PRAGMA application_id` of a kyc-webhooks store: "KYCW" in ASCII.
    static let applicationID: Int64 = 0x4B59_4357

    /// Refuses an existing file that is not a whole store of ours; see the type's documentation.
    /// - Throws: ``InboxError`` `untrustedStore`, or ``SQLiteError`` when the file cannot be read at all.
    static func check(_ connection: SQLiteConnection, path: String, knownSchemaVersion: Int, verifyContent: Bool) throws
    {
        let header: (applicationID: Int64, schemaVersion: Int64, tables: Set<String>)
        do {
            header = (
                try connection.integer("PRAGMA application_id") ?? 0,
                try connection.integer("PRAGMA user_version") ?? 0,
                Set(
                    try connection.statement("SELECT name FROM sqlite_schema WHERE type = 'table'").query {
                        $0.text(0) ?? ""
                    }
                )
            )
        } catch let error as SQLiteError where error.isNotADatabase || error.isCorrupt {
            throw refusal(path, "is not an SQLite database (\(error.message))")
        }
        let hasOurTables = header.tables.isSuperset(of: ["events", "deliveries"]) // in every schema version
        switch header.applicationID {
        case applicationID:
            break
        case 0 where header.schemaVersion > 0 && header.schemaVersion <= Int64(knownSchemaVersion) && hasOurTables:
            break // written before the id was set; migrating sets it
        case 0 where header.schemaVersion > Int64(knownSchemaVersion) && hasOurTables:
            break // a newer version of ours: migrating refuses it with its own error
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

    // MARK: Clean shutdown

    /// The file `path.clean` the daemon writes after a clean shutdown: the store file's size, modification time
    /// and inode then. At the next start, the same values (and no WAL) mean nothing wrote to the file since, so
    /// the whole-file read can be skipped; anything else (a crash, which leaves no mark; a truncation, a restore,
    /// a page overwritten, a command that wrote) changes at least the modification time.
    private static func markPath(_ path: String) -> String { path + ".clean" }

    private static func fingerprint(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return "\(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(info.st_ino)"
    }

    /// Writes the mark after the last connection closed; nothing when a WAL is left (another process still has
    /// the file open, or the close did not finish): the next start then checks the whole file.
    static func recordCleanShutdown(path: String) {
        guard !DatabaseFile.exists(path + "-wal"), let fingerprint = fingerprint(path) else { return }
        let mark = markPath(path)
        let fd = open(mark, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { _ = Glibc.close(fd) }
        let bytes = Array(fingerprint.utf8)
        guard write(fd, bytes, bytes.count) == bytes.count, fsync(fd) == 0 else {
            _ = unlink(mark)
            return
        }
    }

    /// Whether the file is as a clean shutdown left it. Removes the mark either way (durably), so that a
    /// crash of this run leaves none.
    static func consumeCleanShutdownMark(path: String) -> Bool {
        let mark = markPath(path)
        guard let recorded = try? String(contentsOfFile: mark, encoding: .utf8) else { return false }
        _ = unlink(mark)
        let parent = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let fd = open(parent.isEmpty ? "/" : parent, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            _ = Glibc.close(fd)
        }
        return !DatabaseFile.exists(path + "-wal") && fingerprint(path) == recorded
    }

    private static func refusal(_ path: String, _ problem: String) -> InboxError {
        InboxError(
            .untrustedStore,
            "The store file \(path) \(problem). Restore it from a backup, or move it away to start with an empty "
                + "store (every event is then new again: handlers run again for redeliveries)."
        )
    }
}
