import Dispatch
import Foundation
import Glibc
import Synchronization
import Testing
import WebhookCore

@testable import WebhookStore

/// What only the SQLite inbox promises: durability across reopen, file modes, pragmas, group commit, real
/// disk-full failures and recovery, and sharing the file with another process.
@Suite struct SQLiteInboxTests {
    /// Reads one value from the file through a separate connection, as another process would.
    private func inspect(_ path: String, _ sql: String) throws -> String? {
        let connection = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 5000)
        defer { try? connection.close() }
        return try connection.text(sql)
    }

    private func mode(_ path: String) throws -> mode_t {
        var info = stat()
        #expect(stat(path, &info) == 0)
        return info.st_mode & 0o777
    }

    // MARK: Durability

    @Test func duplicatesSurviveReopening() async throws {
        let directory = try TemporaryDirectory()
        let first = try SQLiteInbox(path: directory.databasePath)
        #expect(try await first.record(Records.record(key: "k")) == .accepted)
        first.close()
        let second = try SQLiteInbox(path: directory.databasePath)
        defer { second.close() }
        #expect(try await second.record(Records.record(key: "k")) == .duplicate)
        #expect(try await second.deliveries(of: "k").count == 2)
    }

    // MARK: Key rule upgrade

    /// An event as the decoder gives it, keyed by `key` (the previous rule's key, for a store written before).
    private func decodedRecord(_ body: String, sender: String = "gu1", key: String? = nil) throws -> InboxRecord {
        let context = DecodeContext(route: "/webhooks/" + sender, receivedAt: TestTime.iso(0))
        let bytes = Array(body.utf8)
        var event =
            sender == "gu1"
            ? try Gu1Decoder.decode(body: bytes, context: context)
            : try ArgosDecoder.decode(body: bytes, context: context)
        if let key { event.key = key }
        return InboxRecord(event: event, eventJSON: event.jsonBytes(), rawBody: bytes, handlers: ["audit"])
    }

    @Test func eventsKeyedByThePreviousRuleStillAnswerDuplicateAfterAnUpgrade() async throws {
        let approved =
            #"{"event":"transaction.status_changed","timestamp":"2025-01-07T11:00:00Z","payload":{"id":"tx-1","status":"approved"}}"#
        let rejected =
            #"{"event":"transaction.status_changed","timestamp":"2025-01-07T12:00:00Z","payload":{"id":"tx-1","status":"rejected"}}"#
        let paused = #"{"webhook_trigger":"kyc_paused","submission_id":"s-1","note":"a"}"#
        let pausedOther = #"{"webhook_trigger":"kyc_paused","submission_id":"s-1","note":"b"}"#
        let directory = try TemporaryDirectory()
        // A store written by the previous version: its keys, and its schema (version 4: no store_meta, nor what
        // migrations 6 and 7 add).
        let old = try SQLiteInbox(path: directory.databasePath)
        #expect(try await old.record(decodedRecord(approved, key: "transaction.status_changed:tx-1")) == .accepted)
        #expect(try await old.record(decodedRecord(paused, sender: "argos", key: "argos.kyc_paused:s-1")) == .accepted)
        old.close()
        do {
            let connection = try SQLiteConnection(path: directory.databasePath, busyTimeoutMilliseconds: 5000)
            try connection.execute(
                """
                DROP INDEX events_by_type; DROP INDEX events_by_source; DROP INDEX events_by_outcome;
                DROP TABLE event_people;
                ALTER TABLE events DROP COLUMN external_id; ALTER TABLE events DROP COLUMN entity_id;
                DROP TABLE store_meta; DROP TABLE subject_history; DROP INDEX events_by_subject;
                ALTER TABLE events DROP COLUMN occurred_at;
                ALTER TABLE events DROP COLUMN occurred_ms; ALTER TABLE events DROP COLUMN stale;
                PRAGMA user_version = 4; PRAGMA application_id = 0;
                """
            )
            try connection.close()
        }

        let upgraded = try SQLiteInbox(path: directory.databasePath)
        defer { upgraded.close() }
        // Redeliveries of the events recorded before: duplicates, though the new rule keys them otherwise.
        let redelivered = try decodedRecord(approved)
        #expect(redelivered.event.key == "transaction.status_changed:tx-1@2025-01-07T11:00:00Z")
        #expect(try await upgraded.record(redelivered) == .duplicate)
        #expect(try await upgraded.record(decodedRecord(paused, sender: "argos")) == .duplicate)
        // Distinct events of the same type and subject: new.
        #expect(try await upgraded.record(decodedRecord(rejected)) == .accepted)
        #expect(try await upgraded.record(decodedRecord(pausedOther, sender: "argos")) == .accepted)
        #expect(try await upgraded.record(decodedRecord(rejected)) == .duplicate)
        #expect(try await upgraded.listEvents(EventQuery(limit: 10)).count == 4)
    }

    @Test func aStoreCreatedUnderTheCurrentKeyRuleNeverLooksForPreviousKeys() async throws {
        let directory = try TemporaryDirectory()
        let inbox = try SQLiteInbox(path: directory.databasePath)
        defer { inbox.close() }
        let body = #"{"event":"transaction.status_changed","timestamp":"2025-01-07T11:00:00Z","payload":{"id":"tx-1"}}"#
        // A key of the previous rule's form, written under the current one, is just another key.
        #expect(try await inbox.record(decodedRecord(body, key: "transaction.status_changed:tx-1")) == .accepted)
        #expect(try await inbox.record(decodedRecord(body)) == .accepted)
        #expect(try inspect(directory.databasePath, "SELECT value FROM store_meta") == "0")
    }

    // MARK: File and connection

    @Test func createsFolder0700AndFile0600WhateverTheUmask() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.url.appendingPathComponent("a/b/inbox.sqlite3").path
        let previous = umask(0)
        defer { umask(previous) }
        let inbox = try SQLiteInbox(path: path)
        defer { inbox.close() }
        _ = try await inbox.record(Records.record(key: "k"))
        #expect(try mode(path) == 0o600)
        #expect(try mode(path + "-wal") == 0o600)
        #expect(try mode(directory.url.appendingPathComponent("a/b").path) == 0o700)
        #expect(try mode(directory.url.appendingPathComponent("a").path) == 0o700)
    }

    @Test func writeConnectionIsWALWithFullSyncAndMigrated() async throws {
        let directory = try TemporaryDirectory()
        let inbox = try SQLiteInbox(path: directory.databasePath)
        defer { inbox.close() }
        #expect(try await inbox.pragma("journal_mode") == "wal")
        #expect(try await inbox.pragma("synchronous") == "2")
        #expect(try await inbox.pragma("foreign_keys") == "1")
        #expect(try await inbox.pragma("busy_timeout") == "5000")
        #expect(try await inbox.pragma("user_version") == String(SQLiteMigrations.all.count))
        _ = try await inbox.record(Records.record(key: "k"))
        #expect(try await inbox.pragma("integrity_check") == "ok")
        #expect(try inspect(directory.databasePath, "PRAGMA integrity_check") == "ok")
    }

    @Test func refusesASchemaFromANewerVersion() throws {
        let directory = try TemporaryDirectory()
        SQLiteInbox.openAndClose(directory.databasePath)
        let connection = try SQLiteConnection(path: directory.databasePath, busyTimeoutMilliseconds: 5000)
        try connection.execute("PRAGMA user_version = \(SQLiteMigrations.all.count + 1)")
        try connection.close()
        #expect(throws: InboxError.self) { try SQLiteInbox(path: directory.databasePath) }
    }

    @Test func reportsAFolderThatCannotBeCreated() throws {
        let directory = try TemporaryDirectory()
        let blocker = directory.url.appendingPathComponent("file").path
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data()))
        #expect(throws: StoreFileError.self) { try SQLiteInbox(path: blocker + "/sub/inbox.sqlite3") }
    }

    // MARK: Group commit

    /// Records that arrive while the writer is busy are committed in one transaction.
    @Test func waitingRecordsCommitTogether() async throws {
        let directory = try TemporaryDirectory()
        let inbox = try SQLiteInbox(path: directory.databasePath)
        defer { inbox.close() }
        let before = inbox.committedTransactionCount
        inbox.pauseWriter()
        let outcomes = try await recordMany(inbox, count: 200) { inbox.resumeWriter() }
        #expect(outcomes.allSatisfy { $0 == .accepted })
        #expect(inbox.committedTransactionCount - before == 1)
        #expect(try inspect(directory.databasePath, "SELECT COUNT(*) FROM deliveries") == "400")
    }

    /// Without group commit every record costs its own transaction (the benchmark's baseline).
    @Test func withoutGroupCommitEachRecordIsATransaction() async throws {
        let directory = try TemporaryDirectory()
        let inbox = try SQLiteInbox(path: directory.databasePath, options: .init(groupCommit: false))
        defer { inbox.close() }
        let before = inbox.committedTransactionCount
        inbox.pauseWriter()
        let outcomes = try await recordMany(inbox, count: 200) { inbox.resumeWriter() }
        #expect(outcomes.allSatisfy { $0 == .accepted })
        #expect(inbox.committedTransactionCount - before == 200)
    }

    /// Concurrent callers, with no pause: still fewer transactions than records.
    @Test func concurrentRecordsShareTransactions() async throws {
        let directory = try TemporaryDirectory()
        let inbox = try SQLiteInbox(path: directory.databasePath)
        defer { inbox.close() }
        let before = inbox.committedTransactionCount
        let outcomes = try await recordMany(inbox, count: 200) {}
        #expect(outcomes.count == 200)
        #expect(inbox.committedTransactionCount - before < 200)
    }

    /// A duplicate inside one batch is a duplicate too.
    @Test func duplicateWithinOneBatch() async throws {
        let directory = try TemporaryDirectory()
        let inbox = try SQLiteInbox(path: directory.databasePath)
        defer { inbox.close() }
        inbox.pauseWriter()
        let outcomes = try await recordMany(
            inbox,
            count: 20,
            key: { _ in "same" },
            afterQueueing: { inbox.resumeWriter() }
        )
        #expect(outcomes.filter { $0 == .accepted }.count == 1)
        #expect(outcomes.filter { $0 == .duplicate }.count == 19)
        #expect(try inspect(directory.databasePath, "SELECT COUNT(*) FROM deliveries") == "2")
    }

    /// Queues `count` records from this thread without waiting, runs `afterQueueing`, then awaits them all.
    private func recordMany(
        _ inbox: SQLiteInbox,
        count: Int,
        key: @escaping (Int) -> String = { "key-\($0)" },
        afterQueueing: () -> Void
    ) async throws -> [RecordOutcome] {
        let (stream, continuation) = AsyncStream.makeStream(of: Result<RecordOutcome, any Error>.self)
        for index in 0..<count {
            inbox.record(Records.record(key: key(index))) { continuation.yield($0) }
        }
        afterQueueing()
        var outcomes: [RecordOutcome] = []
        for await result in stream {
            outcomes.append(try result.get())
            if outcomes.count == count { break }
        }
        return outcomes
    }

    // MARK: Disk full

    /// `max_page_count` fails writes with SQLITE_FULL like a full disk; raising it lets the same open store
    /// record again.
    @Test func fullDiskFailsRecordsThenRecovers() async throws {
        let directory = try TemporaryDirectory()
        let inbox = try SQLiteInbox(path: directory.databasePath)
        defer { inbox.close() }
        #expect(try await inbox.record(Records.record(key: "before")) == .accepted)
        let size = try await inbox.pageCount()
        #expect(try await inbox.setMaxPageCount(size) == size)
        let big = String(repeating: "x", count: 64 * 1024)
        let full = Records.record(key: "during", payload: #"{"blob":"\#(big)"}"#)
        let error = await #expect(throws: SQLiteError.self) { try await inbox.record(full) }
        #expect(error?.isFull == true)
        // The error names the operation, never a bound value (key, payload).
        let description = String(describing: try #require(error))
        #expect(description.contains("SQLite error 13"))
        #expect(!description.contains("during") && !description.contains("xxxx") && !description.contains("val-1"))
        var rejected = Records.rejected()
        rejected.rawBody = Array(big.utf8)
        await #expect(throws: SQLiteError.self) { try await inbox.recordRejected(rejected) }
        // Nothing of the failed batch remains, and the store still answers.
        try await inbox.ping()
        #expect(try await inbox.event(key: "during") == nil)
        // Room again: the same key is recorded, without reopening.
        #expect(try await inbox.setMaxPageCount(1_000_000) == 1_000_000)
        #expect(try await inbox.record(full) == .accepted)
        #expect(try await inbox.deliveries(of: "during").count == 2)
        #expect(try await inbox.pragma("integrity_check") == "ok")
    }

    // MARK: Another process

    /// Each inbox keeps the keys in memory; it must still see the keys another process committed since.
    @Test func aKeyAnotherConnectionRecordedIsADuplicate() async throws {
        let shared = try SharedFile()
        defer { withExtendedLifetime(shared) {} }
        let (first, second, directory) = (shared.first, shared.second, shared.directory)
        #expect(try await first.record(Records.record(key: "a")) == .accepted)
        #expect(try await second.record(Records.record(key: "b")) == .accepted)
        #expect(try await first.record(Records.record(key: "b")) == .duplicate)
        #expect(try await second.record(Records.record(key: "a")) == .duplicate)
        #expect(try inspect(directory.databasePath, "SELECT COUNT(*) FROM events") == "2")
    }

    /// Event ids are never reused, even once a prune deleted the newest events: the other connection reads
    /// the keys added since the last id it saw, so a reused id would hide a key from it.
    @Test func aKeyRecordedAfterAPruneIsSeenByTheOtherConnection() async throws {
        let shared = try SharedFile()
        defer { withExtendedLifetime(shared) {} }
        let (first, second, directory) = (shared.first, shared.second, shared.directory)
        #expect(try await first.record(Records.record(key: "a", handlers: [])) == .accepted)
        #expect(try await first.record(Records.record(key: "b", handlers: [])) == .accepted)
        #expect(try await second.record(Records.record(key: "b", handlers: [])) == .duplicate)
        #expect(try await first.prune(now: TestTime.at(10 * 86_400), payloadRetentionDays: 1, keyRetentionDays: 1) == 2)
        #expect(try await first.record(Records.record(key: "c", handlers: [])) == .accepted)
        #expect(try inspect(directory.databasePath, "SELECT id FROM events") == "3")
        #expect(try await second.record(Records.record(key: "c", handlers: [])) == .duplicate)
    }

    /// A batch that fails as a whole leaves no trace in the keys held in memory: its events are new next time.
    @Test func aRolledBackBatchLeavesNoKeyBehind() async throws {
        let directory = try TemporaryDirectory()
        let inbox = try SQLiteInbox(path: directory.databasePath)
        defer { inbox.close() }
        #expect(try await inbox.record(Records.record(key: "before")) == .accepted)
        let size = try await inbox.pageCount()
        #expect(try await inbox.setMaxPageCount(size + 2) == size + 2)
        let small = Records.record(key: "small", handlers: [])
        let big = Records.record(key: "big", payload: #"{"blob":"\#(String(repeating: "x", count: 64 * 1024))"}"#)
        // Both in one transaction: the small one is inserted, then the big one fails and takes it back.
        let outcomes = Mutex<[String: Bool]>([:])
        let done = DispatchSemaphore(value: 0)
        inbox.pauseWriter()
        for record in [small, big] {
            inbox.record(record) { result in
                outcomes.withLock { $0[record.event.key] = (try? result.get()) != nil }
                done.signal()
            }
        }
        inbox.resumeWriter()
        done.wait()
        done.wait()
        #expect(outcomes.withLock { $0 } == ["small": false, "big": false])
        #expect(try await inbox.setMaxPageCount(1_000_000) == 1_000_000)
        #expect(try await inbox.record(small) == .accepted)
        #expect(try await inbox.record(big) == .accepted)
        #expect(try await inbox.record(small) == .duplicate)
    }

    @Test func keysAreReadAtOpenOnlyWhenAsked() async throws {
        let directory = try TemporaryDirectory()
        let first = try SQLiteInbox(path: directory.databasePath)
        for key in ["a", "b", "c"] {
            #expect(try await first.record(Records.record(key: key)) == .accepted)
        }
        first.close()
        let cli = try SQLiteInbox(path: directory.databasePath)
        #expect(try await cli.heldKeyCount() == 0)
        cli.close()
        let daemon = try SQLiteInbox(path: directory.databasePath, options: .init(preloadKeys: true))
        defer { daemon.close() }
        #expect(try await daemon.heldKeyCount() == 3)
        #expect(try await daemon.record(Records.record(key: "b")) == .duplicate)
        #expect(try await daemon.record(Records.record(key: "d")) == .accepted)
        #expect(try await daemon.heldKeyCount() == 4)
    }

    @Test func eventKeysAreNotARandomBTree() throws {
        // The point of `KeyIndex`: no index over the (random) key column, so a commit writes a few pages for
        // its rows whatever the keys. Keys are appended to `event_keys` in id order.
        let directory = try TemporaryDirectory()
        SQLiteInbox.openAndClose(directory.databasePath)
        let indexed = try inspect(
            directory.databasePath,
            """
            SELECT group_concat(m.name || '.' || c.name) FROM sqlite_schema m, pragma_index_list(m.name) i,
                   pragma_index_info(i.name) c
            WHERE m.type = 'table' AND c.name IN ('key', 'event_key')
            """
        )
        #expect(indexed == nil)
    }

    /// Every index on `events` costs pages in every commit: the table keeps only those its queries walk
    /// (by receipt: newest first for `events list`, oldest first for pruning; by subject: the stale verdict and
    /// `subjects show`), and a type filter still works without one.
    @Test func eventsKeepOnlyTheIndexTheirQueriesUse() async throws {
        let directory = try TemporaryDirectory()
        let inbox = try SQLiteInbox(path: directory.databasePath)
        defer { inbox.close() }
        let recorded = [
            ("a", "kyc.validation_approved"), ("b", "kyc.validation_rejected"), ("c", "kyc.validation_approved"),
        ]
        for (key, type) in recorded {
            _ = try await inbox.record(Records.record(key: key, type: type, handlers: []))
        }
        let indexes = try inspect(
            directory.databasePath,
            "SELECT group_concat(name) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'events'"
        )
        #expect(
            indexes?.split(separator: ",").sorted() == [
                "events_by_outcome", "events_by_received", "events_by_source", "events_by_subject",
                "events_by_type",
            ]
        )
        #expect(try await inbox.listEvents(EventQuery(type: "kyc.validation_approved")).map(\.key) == ["c", "a"])
        #expect(try await inbox.listEvents(EventQuery(type: "kyc.*_rejected")).map(\.key) == ["b"])
    }

    /// The subject lookups seek an index (docs/reference.md §5 "Order"): the stale verdict in every recording
    /// transaction, and `subjects show`.
    @Test func subjectLookupsUseTheSubjectIndex() async throws {
        let directory = try TemporaryDirectory()
        SQLiteInbox.openAndClose(directory.databasePath)
        let connection = try SQLiteConnection(path: directory.databasePath, busyTimeoutMilliseconds: 5000)
        defer { try? connection.close() }
        for sql in [InboxDatabase.latestOccurredSQL.description, InboxDatabase.subjectTimelineSQL.description] {
            let plan = try connection.statement("EXPLAIN QUERY PLAN " + sql).query { $0.text(3) ?? "" }
            let detail = plan.joined(separator: "; ")
            #expect(
                detail.contains("USING INDEX events_by_subject")
                    || detail.contains("USING COVERING INDEX events_by_subject"),
                "\(detail)"
            )
            #expect(!detail.contains("SCAN events"), "\(detail)")
        }
        let history = try connection.statement("EXPLAIN QUERY PLAN " + InboxDatabase.subjectHistorySQL.description)
            .query { $0.text(3) ?? "" }
        #expect(history.joined().contains("USING PRIMARY KEY"), "\(history)")
    }

    /// Every `events list` filter, and the selection of a replay by filter, seeks an index: none scans the
    /// events table (docs/reference.md §2). The plans are SQLite's own for the statements the store runs.
    @Test(
        "each events list filter is an index lookup",
        arguments: [
            EventQuery(type: "kyc.validation_approved"), EventQuery(type: "kyc.*"), EventQuery(source: "argos"),
            EventQuery(outcome: "rejected"), EventQuery(subjectId: "val-1"), EventQuery(externalId: "cust-1"),
            EventQuery(entityId: "ent-1"), EventQuery(since: TestTime.at(10)), EventQuery(until: TestTime.at(10)),
            EventQuery(status: "dead", type: "kyc.*", since: TestTime.at(10)),
        ]
    )
    func eachFilterIsAnIndexLookup(query: EventQuery) async throws {
        let directory = try TemporaryDirectory()
        SQLiteInbox.openAndClose(directory.databasePath)
        let connection = try SQLiteConnection(path: directory.databasePath, busyTimeoutMilliseconds: 5000)
        defer { try? connection.close() }
        let seeking = InboxDatabase.listEventsSQL(query, status: query.status != nil)
        for sql in [seeking.sql] {
            let plan = try connection.statement("EXPLAIN QUERY PLAN " + sql).query { $0.text(3) ?? "" }
            let detail = plan.joined(separator: "; ")
            #expect(detail.contains("SEARCH e USING"), "\(detail)")
            #expect(!detail.contains("SCAN "), "\(detail)")
        }
    }

    /// A broad type glob walks the events by receipt (index `events_by_received`, stopping at the limit) rather
    /// than sort the range of its prefix; the status subqueries seek the event's own deliveries.
    @Test func aBroadGlobWalksByReceiptAndStatusSeeksTheEventsDeliveries() throws {
        let directory = try TemporaryDirectory()
        SQLiteInbox.openAndClose(directory.databasePath)
        let connection = try SQLiteConnection(path: directory.databasePath, busyTimeoutMilliseconds: 5000)
        defer { try? connection.close() }
        let walking = InboxDatabase.listEventsSQL(EventQuery(type: "kyc.*"), status: false, seeksTypeRange: false)
        let plan = try connection.statement("EXPLAIN QUERY PLAN " + walking.sql).query { $0.text(3) ?? "" }
            .joined(separator: "; ")
        #expect(plan.contains("SCAN e USING INDEX events_by_received"), "\(plan)")
        #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
        #expect(!plan.contains("deliveries_by_state"), "\(plan)")
    }

    /// A store from before the person filters (schema 6): migration 7 reads the ids of its events from their
    /// event JSON into `event_people`, so `--external-id` and `--entity-id` find them too, and their rows go
    /// when the events are pruned.
    @Test func eventsRecordedBeforeThePersonFiltersAreFoundByThem() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.databasePath
        try DatabaseFile.prepare(path: path)
        let old = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 5000)
        for (index, migration) in SQLiteMigrations.all.prefix(6).enumerated() {
            try old.execute(migration)
            try old.execute("PRAGMA user_version = \(index + 1)")
        }
        let split = Records.person(key: "split", externalId: #"cust-"1""#, entityId: "ent-1", receivedAt: 1)
        let whole = Records.person(key: "whole", externalId: "cust-2", entityId: nil, receivedAt: 2)
        do { // The statement is finalized before the connection closes.
            let insert = try old.statement(
                """
                INSERT INTO events (key, type, source, outcome, subject_id, route, received_at, received_ms, event_json,
                                    raw_body, payload_start, payload_end)
                VALUES (?, ?, 'gu1.kyc', ?, ?, '/r', ?, ?, ?, ?, ?, ?)
                """
            )
            for (record, isSplit) in [(split, true), (whole, false)] {
                let event = record.event
                let parts = StoredEventJSON.split(eventJSON: record.eventJSON, rawBody: record.rawBody)
                #expect(parts.payloadInRawBody != nil)
                try insert.execute([
                    .text(event.key), .text(event.type), .text(event.outcome.rawValue), .text(event.subjectId),
                    .text(event.receivedAt), .integer(StoreTime.milliseconds(TestTime.at(isSplit ? 1 : 2))),
                    .blob(isSplit ? Array(parts.stored) : record.eventJSON), .blob(record.rawBody),
                    isSplit ? .integer(Int64(parts.payloadInRawBody!.lowerBound)) : .null,
                    isSplit ? .integer(Int64(parts.payloadInRawBody!.upperBound)) : .null,
                ])
            }
        }
        try old.execute("INSERT INTO event_keys (id, key) SELECT id, key FROM events")
        try old.close()

        let inbox = try SQLiteInbox(path: path)
        defer { inbox.close() }
        #expect(try await inbox.pragma("user_version") == String(SQLiteMigrations.all.count))
        _ = try await inbox.record(Records.person(key: "new", externalId: "cust-2", receivedAt: 3, handlers: []))
        #expect(try await inbox.listEvents(EventQuery(externalId: #"cust-"1""#)).map(\.key) == ["split"])
        #expect(try await inbox.listEvents(EventQuery(externalId: "cust-2")).map(\.key) == ["new", "whole"])
        #expect(try await inbox.listEvents(EventQuery(entityId: "ent-1")).map(\.key) == ["new", "split"])
        // Pruned with their event (ON DELETE CASCADE): nothing of the person stays behind.
        _ = try await inbox.prune(now: TestTime.at(86_400 * 400), payloadRetentionDays: 30, keyRetentionDays: 365)
        #expect(try inspect(path, "SELECT COUNT(*) FROM event_people") == "0")
        #expect(try await inbox.listEvents(EventQuery(externalId: "cust-2")).isEmpty)
    }

    /// A store from before subject order: migration 6 reads its events' times from their event JSON (whole,
    /// or only the head when the payload lives in the raw body), so a late retry after the upgrade is stale.
    @Test func eventsRecordedBeforeSubjectOrderGetTheirTimesAtTheUpgrade() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.databasePath
        try DatabaseFile.prepare(path: path)
        let old = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 5000)
        for (index, migration) in SQLiteMigrations.all.prefix(5).enumerated() {
            try old.execute(migration)
            try old.execute("PRAGMA user_version = \(index + 1)")
        }
        let approved = Records.ordered(outcome: .approved, occurredAt: "2025-01-07T11:00:00.500Z")
        let untimed = Records.ordered(outcome: .created, occurredAt: nil)
        let elsewhere = Records.ordered(outcome: .approved, occurredAt: "2025-01-09T11:00:00Z", subject: "val-2")
        do { // The statement is finalized before the connection closes.
            let insert = try old.statement(
                """
                INSERT INTO events (key, type, source, outcome, subject_id, route, received_at, received_ms, event_json,
                                    raw_body, payload_start, payload_end)
                VALUES (?, ?, 'gu1.kyc', ?, ?, '/r', ?, 0, ?, ?, ?, ?)
                """
            )
            for record in [approved, untimed, elsewhere] {
                let event = record.event
                let split = StoredEventJSON.split(eventJSON: record.eventJSON, rawBody: record.rawBody)
                #expect(split.payloadInRawBody != nil)
                try insert.execute([
                    .text(event.key), .text(event.type), .text(event.outcome.rawValue), .text(event.subjectId),
                    .text(event.receivedAt), .blob(Array(split.stored)), .blob(record.rawBody),
                    .integer(Int64(split.payloadInRawBody?.lowerBound ?? 0)),
                    .integer(Int64(split.payloadInRawBody?.upperBound ?? 0)),
                ])
            }
        }
        try old.execute("INSERT INTO event_keys (id, key) SELECT id, key FROM events")
        try old.close()

        let inbox = try SQLiteInbox(path: path)
        defer { inbox.close() }
        #expect(try await inbox.pragma("user_version") == String(SQLiteMigrations.all.count))
        #expect(try await inbox.record(approved) == .duplicate)
        let late = Records.ordered(outcome: .inProgress, occurredAt: "2025-01-07T11:00:00Z", receivedAt: 1)
        let next = Records.ordered(outcome: .inReview, occurredAt: "2025-01-07T12:00:00Z", receivedAt: 2)
        _ = try await inbox.record(late)
        _ = try await inbox.record(next)
        let timeline = try await inbox.subjectTimeline("val-1")
        #expect(timeline.map(\.key) == [late.event.key, approved.event.key, next.event.key, untimed.event.key])
        #expect(
            timeline.map(\.occurredAt) == [
                "2025-01-07T11:00:00Z", "2025-01-07T11:00:00.500Z", "2025-01-07T12:00:00Z", nil,
            ]
        )
        #expect(timeline.map(\.stale) == [true, false, false, false])
        #expect(try await inbox.subjectTimeline("val-2").map(\.occurredAt) == ["2025-01-09T11:00:00Z"])
    }

    /// The CLI opens the same file while the daemon runs: its replay is seen by the daemon's next claim.
    @Test func replayFromAnotherConnectionIsClaimed() async throws {
        let directory = try TemporaryDirectory()
        let daemon = try SQLiteInbox(path: directory.databasePath)
        defer { daemon.close() }
        _ = try await daemon.record(Records.record(key: "k", handlers: ["audit"]))
        let claimed = try #require(try await daemon.claimDue(now: TestTime.at(1), slots: ["audit": 1]).first)
        try await daemon.fail(claimed.id, error: "boom", retryAt: nil, now: TestTime.at(2))

        let cli = try SQLiteInbox(path: directory.databasePath)
        #expect(try await cli.listEvents(EventQuery(status: "dead")).map(\.key) == ["k"])
        #expect(try await cli.replay(key: "k", handler: nil, now: TestTime.at(3)) == 1)
        cli.close()

        let again = try await daemon.claimDue(now: TestTime.at(3), slots: ["audit": 1])
        #expect(again.map(\.id) == [claimed.id])
        #expect(again.first?.attempt == 1)
    }

    /// A completion runs only after COMMIT: another connection already sees the event and its deliveries.
    @Test func completionComesAfterTheCommit() async throws {
        let directory = try TemporaryDirectory()
        let inbox = try SQLiteInbox(path: directory.databasePath)
        defer { inbox.close() }
        let path = directory.databasePath
        let seen = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<String?, any Error>) in
            inbox.record(Records.record(key: "k")) { result in
                continuation.resume(
                    with: result.flatMap { _ in
                        Result { try self.inspect(path, "SELECT COUNT(*) FROM deliveries WHERE event_key = 'k'") }
                    }
                )
            }
        }
        #expect(seen == "2")
    }

    /// Two receivers claiming from one file at once never claim the same delivery.
    @Test func concurrentClaimsFromTwoConnectionsNeverOverlap() async throws {
        let shared = try SharedFile()
        defer { withExtendedLifetime(shared) {} }
        let (first, second) = (shared.first, shared.second)
        for index in 0..<40 {
            _ = try await first.record(Records.record(key: "k\(index)", handlers: ["audit"]))
        }
        let claimed = try await withThrowingTaskGroup(of: [Delivery.ID].self) { group in
            for round in 0..<20 {
                let inbox = round.isMultiple(of: 2) ? first : second
                group.addTask { try await inbox.claimDue(now: TestTime.at(1), slots: ["audit": 3]).map(\.id) }
            }
            var all: [Delivery.ID] = []
            for try await ids in group {
                all += ids
            }
            return all
        }
        #expect(claimed.count == 40)
        #expect(Set(claimed).count == 40)
    }

    /// Both processes write at once: the busy timeout serializes them and nothing is lost.
    @Test func twoConnectionsWriteConcurrently() async throws {
        let shared = try SharedFile()
        defer { withExtendedLifetime(shared) {} }
        let (first, second, directory) = (shared.first, shared.second, shared.directory)
        try await withThrowingTaskGroup(of: RecordOutcome.self) { group in
            for index in 0..<50 {
                let inbox = index.isMultiple(of: 2) ? first : second
                group.addTask { try await inbox.record(Records.record(key: "k\(index % 25)")) }
            }
            var accepted = 0
            for try await outcome in group where outcome == .accepted {
                accepted += 1
            }
            #expect(accepted == 25)
        }
        #expect(try inspect(directory.databasePath, "SELECT COUNT(*) FROM events") == "25")
    }

    // MARK: Checkpoints

    /// The WAL file's size after `count` records committed one by one with `checkpointPages`.
    private func walSize(
        records count: Int,
        checkpointPages: Int,
        in directory: TemporaryDirectory
    ) async throws -> (Int, SQLiteInbox, String) {
        let path = directory.databasePath
        let inbox = try SQLiteInbox(path: path, options: .init(checkpointPages: checkpointPages))
        for index in 0..<count {
            #expect(try await inbox.record(Records.record(key: "k\(index)")) == .accepted)
        }
        var info = stat()
        #expect(stat(path + "-wal", &info) == 0)
        return (Int(info.st_size), inbox, path)
    }

    @Test func theCheckpointerKeepsTheWALSmall() async throws {
        let controlDirectory = try TemporaryDirectory()
        let (unbounded, control, _) = try await walSize(records: 200, checkpointPages: 1_000_000, in: controlDirectory)
        control.close()
        let directory = try TemporaryDirectory()
        let (bounded, inbox, path) = try await walSize(records: 200, checkpointPages: 16, in: directory)
        // Each finished checkpoint lets the next commit write the WAL from its start again.
        #expect(bounded * 3 < unbounded)
        let counts = inbox.checkpointCounts
        #expect(counts.background > 0)
        #expect(counts.writer > 0)
        #expect(try await inbox.pragma("integrity_check") == "ok")
        inbox.close()
        #expect(access(path + "-wal", F_OK) != 0)
        #expect(try inspect(path, "SELECT COUNT(*) FROM events") == "200")
    }

    // MARK: Payload stored once

    /// A record laid out as the receiver writes it: the payload last, and a run of the compact raw body.
    private static func compactRecord(key: String) -> InboxRecord {
        let payload = #"{"id":"val-1","status":"approved","entity":{"id":"ent-1","externalId":"cust-1"}}"#
        var record = Records.record(key: key, handlers: ["audit"], payload: payload)
        record.eventJSON = record.event.jsonBytes()
        return record
    }

    @Test func aPayloadInTheRawBodyIsStoredOnceAndClaimedWhole() async throws {
        let directory = try TemporaryDirectory()
        let inbox = try SQLiteInbox(path: directory.databasePath)
        defer { inbox.close() }
        let record = Self.compactRecord(key: "k")
        #expect(try await inbox.record(record) == .accepted)
        let path = directory.databasePath
        #expect(try inspect(path, "SELECT payload_start IS NOT NULL FROM events") == "1")
        #expect(try inspect(path, "SELECT instr(event_json, 'cust-1') FROM events") == "0")
        let stored = try #require(Int(try inspect(path, "SELECT length(event_json) FROM events") ?? ""))
        #expect(stored < record.eventJSON.count - 60)
        let claimed = try await inbox.claimDue(now: TestTime.at(1), slots: ["audit": 1])
        #expect(claimed.map(\.eventJSON) == [record.eventJSON])
    }

    @Test func pruneRedactsAPayloadStoredInTheRawBody() async throws {
        let directory = try TemporaryDirectory()
        let inbox = try SQLiteInbox(path: directory.databasePath)
        defer { inbox.close() }
        let record = Self.compactRecord(key: "k")
        _ = try await inbox.record(record)
        let claimed = try await inbox.claimDue(now: TestTime.at(1), slots: ["audit": 1])
        try await inbox.complete(try #require(claimed.first).id, now: TestTime.at(2))
        #expect(try await inbox.prune(now: TestTime.at(2 * 86_400), payloadRetentionDays: 1, keyRetentionDays: 30) == 1)
        let path = directory.databasePath
        #expect(try inspect(path, "SELECT raw_body IS NULL AND payload_start IS NULL FROM events") == "1")
        let json = try #require(try inspect(path, "SELECT CAST(event_json AS TEXT) FROM events"))
        #expect(json.hasSuffix(#""payload":null}"#))
        #expect(json.contains(#""key":"k""#))
        #expect(!json.contains("cust-1"))
    }

    @Test func eventsWrittenBeforeMigrationTwoAreStillClaimed() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.databasePath
        try DatabaseFile.prepare(path: path)
        let old = try SQLiteConnection(path: path, busyTimeoutMilliseconds: 5000)
        try old.execute(SQLiteMigrations.all[0])
        try old.execute("PRAGMA user_version = 1")
        try old.execute(
            """
            INSERT INTO events (key, type, source, outcome, subject_id, route, received_at, received_ms,
                                event_json, raw_body)
            VALUES ('k', 't', 'gu1.kyc', 'approved', 's', '/r', '2025-06-15T15:06:40.000Z', 0,
                    CAST('{"key":"k","payload":{"id":"val-1"}}' AS BLOB), CAST('{"payload":{"id":"val-1"}}' AS BLOB));
            INSERT INTO deliveries (event_key, handler, state, next_attempt_ms, updated_ms)
            VALUES ('k', 'audit', 'pending', 0, 0);
            """
        )
        try old.close()
        let inbox = try SQLiteInbox(path: path)
        defer { inbox.close() }
        #expect(try await inbox.pragma("user_version") == String(SQLiteMigrations.all.count))
        let claimed = try await inbox.claimDue(now: TestTime.at(1), slots: ["audit": 1])
        #expect(
            claimed.map { String(decoding: $0.eventJSON, as: UTF8.self) } == [#"{"key":"k","payload":{"id":"val-1"}}"#]
        )
    }

    // MARK: Pruning

    @Test func pruneClearsRawBodiesInTheFile() async throws {
        let directory = try TemporaryDirectory()
        let inbox = try SQLiteInbox(path: directory.databasePath)
        defer { inbox.close() }
        _ = try await inbox.record(Records.record(key: "k", handlers: []))
        try await inbox.recordRejected(Records.rejected())
        let path = directory.databasePath
        #expect(try inspect(path, "SELECT COUNT(*) FROM events WHERE raw_body IS NOT NULL") == "1")
        #expect(try await inbox.prune(now: TestTime.at(2 * 86_400), payloadRetentionDays: 1, keyRetentionDays: 30) == 2)
        #expect(try inspect(path, "SELECT COUNT(*) FROM events WHERE raw_body IS NULL") == "1")
        #expect(try inspect(path, "SELECT COUNT(*) FROM rejected WHERE raw_body IS NULL") == "1")
        #expect(try inspect(path, "SELECT COUNT(*) FROM events WHERE instr(event_json, 'val-1') > 0") == "0")
    }

    // MARK: Close

    @Test func closeFinishesQueuedRecords() async throws {
        let directory = try TemporaryDirectory()
        let inbox = try SQLiteInbox(path: directory.databasePath)
        let accepted = Mutex(0)
        inbox.pauseWriter()
        for index in 0..<10 {
            inbox.record(Records.record(key: "k\(index)")) { result in
                if case .success(.accepted) = result { accepted.withLock { $0 += 1 } }
            }
        }
        inbox.close()
        #expect(accepted.withLock { $0 } == 10)
        #expect(try inspect(directory.databasePath, "SELECT COUNT(*) FROM events") == "10")
    }
}

/// Two inboxes on one file, as the daemon and another process have it; both closed when dropped.
private final class SharedFile {
    let directory: TemporaryDirectory
    let first: SQLiteInbox
    let second: SQLiteInbox

    init() throws {
        directory = try TemporaryDirectory()
        first = try SQLiteInbox(path: directory.databasePath)
        second = try SQLiteInbox(path: directory.databasePath)
    }

    deinit {
        first.close()
        second.close()
    }
}

extension SQLiteInbox {
    /// Creates and migrates a database file, then closes it.
    static func openAndClose(_ path: String) {
        (try? SQLiteInbox(path: path))?.close()
    }
}
