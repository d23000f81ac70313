import Foundation
import Glibc
import Synchronization
import Testing
import WebhookCore

@testable import WebhookStore

/// An existing file that is not a whole store of ours is refused at open, never taken for a new store: its
/// history is what makes redeliveries duplicates.
@Suite struct StoreFileCheckTests {
    /// Opening `path` fails with `untrustedStore`, and the message names the file and the way out.
    private func expectRefused(_ path: String, options: SQLiteInbox.Options = .init(), containing problem: String) {
        do {
            let inbox = try SQLiteInbox(path: path, options: options)
            inbox.close()
            Issue.record("opened \(path)")
        } catch let error as InboxError {
            #expect(error.code == .untrustedStore, "\(error)")
            #expect(error.detail.contains(path), "\(error.detail)")
            #expect(error.detail.contains(problem), "\(error.detail)")
            #expect(error.detail.contains("Restore it from a backup, or move it away"), "\(error.detail)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    private func size(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
    }

    /// A closed store with enough events that every table has several leaf pages.
    private func populatedStore() async throws -> TemporaryDirectory {
        let directory = try TemporaryDirectory()
        let inbox = try SQLiteInbox(path: directory.databasePath)
        for index in 0..<400 {
            let record = Records.person(
                key: "kyc.validation_approved:v-\(index)",
                subject: "v-\(index)",
                externalId: "customer-\(index)",
                entityId: "entity-\(index)",
                receivedAt: Double(index)
            )
            #expect(try await inbox.record(record) == .accepted)
            try await inbox.recordRejected(Records.rejected(receivedAt: Double(index)))
        }
        inbox.close()
        return directory
    }

    /// Overwrites one page of the file with zeros.
    private func zeroPage(_ page: Int64, of path: String) throws {
        let connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 1000)
        let pageSize = try #require(try connection.integer("PRAGMA page_size"))
        try connection.close()
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seek(toOffset: UInt64((page - 1) * pageSize))
        try handle.write(contentsOf: Data(count: Int(pageSize)))
        try handle.synchronize()
        try handle.close()
    }

    private func firstLeafPage(of table: String, in path: String) throws -> Int64 {
        let connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 1000)
        defer { try? connection.close() }
        let pages = try connection.statement(
            "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno"
        ).query([.text(table)]) { $0.int64(0) }
        #expect(pages.count >= 2, "\(table) has \(pages.count) leaf pages")
        return try #require(pages.first)
    }

    @Test func aZeroLengthFileIsRefusedAndLeftAsItIs() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url.appendingPathComponent("inbox.sqlite3").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        expectRefused(path, containing: "is empty (0 bytes)")
        expectRefused(path, options: .init(createIfMissing: false, verifyContent: false), containing: "is empty")
        #expect(size(path) == 0)
    }

    @Test func aTextFileIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url.appendingPathComponent("inbox.sqlite3").path
        let text = Data(String(repeating: "not a database, a note someone left here\n", count: 200).utf8)
        #expect(FileManager.default.createFile(atPath: path, contents: text))
        expectRefused(path, containing: "is not an SQLite database")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == text)
    }

    @Test func aDatabaseOfAnotherApplicationIsRefusedAndNotAltered() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url.appendingPathComponent("other.sqlite3").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let other = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 1000)
        try other.execute(
            "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER); INSERT INTO invoices VALUES (1, 5);"
        )
        try other.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        expectRefused(path, containing: "another application")
        expectRefused(
            path,
            options: .init(createIfMissing: false, verifyContent: false),
            containing: "another application"
        )
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func anEmptyDatabaseWithNoTablesIsRefused() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url.appendingPathComponent("blank.sqlite3").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let blank = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 1000)
        try blank.execute("PRAGMA user_version = 0; VACUUM;")
        try blank.close()
        expectRefused(path, containing: "no tables")
    }

    @Test(
        "a zeroed leaf page of each table, and of the indexes, is refused at start",
        arguments: [
            "events", "event_keys", "deliveries", "rejected", "events_by_received", "events_by_subject",
            "event_people", "deliveries_by_state",
        ]
    )
    func aZeroedLeafPageIsRefused(table: String) async throws {
        let directory = try await populatedStore()
        try zeroPage(try firstLeafPage(of: table, in: directory.databasePath), of: directory.databasePath)
        expectRefused(directory.databasePath, containing: "is damaged")
    }

    @Test func aFileCutShortIsRefused() async throws {
        let directory = try await populatedStore()
        let path = directory.databasePath
        #expect(truncate(path, off_t(size(path) - 1000)) == 0)
        expectRefused(path, containing: "is damaged")
    }

    @Test func commandsNeverCreateAStore() throws {
        let directory = try TemporaryDirectory()
        do {
            _ = try SQLiteInbox(path: directory.databasePath, options: .init(createIfMissing: false))
            Issue.record("opened a missing store")
        } catch let error as InboxError {
            #expect(error.code == .storeMissing)
        }
        #expect(!FileManager.default.fileExists(atPath: directory.databasePath))
    }

    @Test func aNewStoreIsCreatedWholeAndMarkedAsOurs() async throws {
        let directory = try TemporaryDirectory()
        let inbox = try SQLiteInbox(path: directory.databasePath)
        inbox.close()
        let connection = try SQLiteConnection(path: directory.databasePath, busyTimeoutMilliseconds: 1000)
        defer { try? connection.close() }
        #expect(try connection.integer("PRAGMA application_id") == StoreFileCheck.applicationID)
        #expect(try connection.integer("PRAGMA user_version") == Int64(SQLiteMigrations.all.count))
        let leftovers = try FileManager.default.contentsOfDirectory(
            atPath: directory.url.appendingPathComponent("data").path
        )
        #expect(leftovers.allSatisfy { !$0.contains(".creating-") }, "\(leftovers)")
        // And it opens again, checked.
        let again = try SQLiteInbox(path: directory.databasePath)
        again.close()
    }

    /// Damage met while running (here: a page zeroed behind the store's back, found when the writer first
    /// reads the key table) is reported once as `damaged`, fails the write, and latches: every later write and
    /// the readiness check fail without touching the file again.
    @Test func damageFoundWhileRunningLatchesTheStore() async throws {
        let directory = try await populatedStore()
        try zeroPage(try firstLeafPage(of: "event_keys", in: directory.databasePath), of: directory.databasePath)
        let events = Mutex<[StoreHealthEvent]>([])
        let inbox = try SQLiteInbox(
            path: directory.databasePath,
            options: .init(verifyContent: false),
            observeHealth: { event in events.withLock { $0.append(event) } }
        )
        defer { inbox.close() }
        await #expect(throws: SQLiteError.self) { try await inbox.record(Records.record(key: "new-1")) }
        await #expect(throws: InboxError.self) { try await inbox.record(Records.record(key: "new-2")) }
        await #expect(throws: InboxError.self) { try await inbox.ping() }
        let kinds = events.withLock { $0 }.compactMap { event -> StoreFault.Kind? in
            if case .fault(let fault) = event { return fault.kind }
            return nil
        }
        #expect(kinds == [.damaged])
    }

    /// The whole-file read is skipped only when the file is exactly as a clean shutdown left it.
    @Test func aRestartAfterACleanShutdownSkipsTheWholeFileReadAndNothingElseDoes() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.databasePath
        let first = try SQLiteInbox(path: path)
        #expect(first.didVerifyContent)
        #expect(try await first.record(Records.record(key: "k-1")) == .accepted)
        first.close()
        #expect(FileManager.default.fileExists(atPath: path + ".clean"))

        let clean = try SQLiteInbox(path: path)
        #expect(!clean.didVerifyContent, "a clean restart reads the whole file")
        #expect(!FileManager.default.fileExists(atPath: path + ".clean"), "the mark outlives the start")
        #expect(try await clean.record(Records.record(key: "k-1")) == .duplicate)
        clean.close()

        // A crash leaves no mark.
        #expect(unlink(path + ".clean") == 0)
        let afterCrash = try SQLiteInbox(path: path)
        #expect(afterCrash.didVerifyContent)
        afterCrash.close()

        // Anything that touched the file since the mark.
        #expect(utimes(path, nil) == 0)
        let touched = try SQLiteInbox(path: path)
        #expect(touched.didVerifyContent)
        touched.close()

        // Commands neither consume nor leave the mark; one that only reads leaves the file as it was.
        let reader = try SQLiteInbox(path: path, options: .init(createIfMissing: false, verifyContent: false))
        _ = try await reader.listEvents(EventQuery(limit: 5))
        reader.close()
        #expect(FileManager.default.fileExists(atPath: path + ".clean"))
        let afterReader = try SQLiteInbox(path: path)
        #expect(!afterReader.didVerifyContent)
        afterReader.close()
        // One that writes (a replay) changes it, so the next start reads it all.
        let writer = try SQLiteInbox(path: path, options: .init(createIfMissing: false, verifyContent: false))
        #expect(try await writer.replay(key: "k-1", handler: "audit", now: TestTime.at(5)) == 1)
        writer.close()
        let daemon = try SQLiteInbox(path: path)
        #expect(daemon.didVerifyContent, "the command's write changed the file, so the mark no longer matches")
        daemon.close()
    }
}
