import Foundation
import Synchronization
import Testing
import WebhookCore
import WebhookTesting

@testable import WebhookStore

/// What only the postgres inbox promises (docs/reference.md §8): several receivers on one database, durable
/// commits checked at open, migrations once under a lock, leases. Against the suite's real cluster
/// (``TestPostgres``); the shared rules are in ``InboxBehaviourTests``, which runs on every store kind.
@Suite struct PostgresInboxTests {
    /// A fresh database of the suite's cluster, and its connection string (blocking work on a thread of its
    /// own, as every call below that waits for the server: never on the cooperative pool).
    static func database() async throws -> String {
        try await Blocking.run {
            let cluster = try TestPostgres.shared()
            return cluster.connectionString(database: try cluster.createDatabase())
        }
    }

    static func open(
        _ connectionString: String,
        name: String,
        lease: Duration = .seconds(3600),
        create: Bool = true,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) async throws -> PostgresInbox {
        try await Blocking.run {
            try openNow(connectionString, name: name, lease: lease, create: create, clock: clock)
        }
    }

    /// ``open(_:name:lease:create:)`` on the calling thread (blocking: from ``Blocking`` only).
    static func openNow(
        _ connectionString: String,
        name: String,
        lease: Duration = .seconds(3600),
        create: Bool = true,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws -> PostgresInbox {
        try PostgresInbox(
            options: .init(
                connectionString: connectionString,
                poolSize: 3,
                lease: lease,
                createIfMissing: create,
                receiverName: name,
                clock: clock
            )
        )
    }

    /// Runs `sql` as the superuser on the database of `url` (blocking work on a thread of its own).
    static func admin<T: Sendable>(
        _ url: String,
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    )
        async throws -> T
    {
        try await Blocking.run {
            let connection = try PostgresConnection(connectionString: url)
            defer { connection.close() }
            return try body(connection)
        }
    }

    /// Twenty copies of one event recorded at once through two receivers: one `accepted`, nineteen
    /// `duplicate`, one delivery.
    @Test func copiesOfOneEventThroughTwoReceiversAreRecordedOnce() async throws {
        let url = try await Self.database()
        let first = try await Self.open(url, name: "a")
        let second = try await Self.open(url, name: "b")
        defer {
            first.close()
            second.close()
        }
        let record = Records.record(key: "kyc.validation_approved:v-1", handlers: ["crm"])
        let outcomes = try await withThrowingTaskGroup(of: RecordOutcome.self) { group in
            for index in 0..<20 {
                let inbox = index.isMultiple(of: 2) ? first : second
                group.addTask { try await inbox.record(record) }
            }
            return try await group.reduce(into: [RecordOutcome]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .accepted }.count == 1)
        #expect(outcomes.filter { $0 == .duplicate }.count == 19)
        #expect(try await first.deliveries(of: record.event.key).count == 1)
    }

    /// Subject order across receivers: copies of five events of one subject recorded at once through two
    /// receivers; each event is stale exactly when one with a later time was recorded before it (the
    /// subject's row in `subjects` orders them), as on one receiver.
    @Test func staleHoldsAcrossReceivers() async throws {
        let url = try await Self.database()
        let first = try await Self.open(url, name: "a")
        let second = try await Self.open(url, name: "b")
        defer {
            first.close()
            second.close()
        }
        try await InboxBehaviourTests.checkConcurrentCopiesInMixedOrder(through: [first, second])
    }

    /// Two receivers claiming at once never take the same delivery (`FOR UPDATE SKIP LOCKED`), and between
    /// them take every one.
    @Test func twoReceiversNeverClaimTheSameDelivery() async throws {
        let url = try await Self.database()
        let first = try await Self.open(url, name: "a")
        let second = try await Self.open(url, name: "b")
        defer {
            first.close()
            second.close()
        }
        for index in 0..<200 {
            _ = try await first.record(Records.record(key: "k\(index)", handlers: ["crm"]))
        }
        let claimed = try await withThrowingTaskGroup(of: [Delivery.ID].self) { group in
            for round in 0..<20 {
                let inbox = round.isMultiple(of: 2) ? first : second
                group.addTask { try await inbox.claimDue(now: TestTime.at(1), slots: ["crm": 13]).map(\.id) }
            }
            return try await group.reduce(into: [Delivery.ID]()) { $0 += $1 }
        }
        #expect(claimed.count == 200)
        #expect(Set(claimed).count == 200)
    }

    /// A receiver that stops renewing (it died) loses its leases when they run out: the other claims its
    /// deliveries, counting the interrupted attempt; until then they stay the first one's.
    @Test func aDeadReceiversDeliveriesAreClaimedByAnotherOnceTheLeaseRunsOut() async throws {
        let url = try await Self.database()
        // Its lease thread renews on the test's clock, stopped at the claim: a renewal before it closes (the
        // suite may be slow) keeps the lease where the claim put it.
        let dead = try await Self.open(url, name: "dead", lease: .seconds(10), clock: { TestTime.at(1) })
        _ = try await dead.record(Records.record(key: "k", handlers: ["crm"]))
        let taken = try await dead.claimDue(now: TestTime.at(1), slots: ["crm": 1])
        #expect(taken.count == 1)
        dead.close() // no more renewals
        let survivor = try await Self.open(url, name: "survivor")
        defer { survivor.close() }
        // Its start takes back only its own name's deliveries, not another receiver's.
        #expect(try await survivor.requeueRunning(now: TestTime.at(2)) == 0)
        #expect(try await survivor.claimDue(now: TestTime.at(5), slots: ["crm": 1]).isEmpty)
        let again = try await survivor.claimDue(now: TestTime.at(12), slots: ["crm": 1])
        #expect(again.map(\.id) == taken.map(\.id))
        #expect(again.first?.attempt == 2)
        try await survivor.complete(taken[0].id, now: TestTime.at(13))
        #expect(try await survivor.deliveries(of: "k")["crm"]?.state == .done)
    }

    /// A receiver restarted under the same name (host and port) takes back at once what it was running.
    @Test func aRestartedReceiverTakesBackItsOwnRunningDeliveries() async throws {
        let url = try await Self.database()
        let before = try await Self.open(url, name: "host:8080")
        _ = try await before.record(Records.record(key: "k", handlers: ["crm"]))
        #expect(try await before.claimDue(now: TestTime.at(1), slots: ["crm": 1]).count == 1)
        before.close()
        let after = try await Self.open(url, name: "host:8080")
        defer { after.close() }
        #expect(try await after.requeueRunning(now: TestTime.at(2)) == 1)
        #expect(try await after.claimDue(now: TestTime.at(2), slots: ["crm": 1]).first?.attempt == 2)
    }

    /// The lease thread keeps a long-running delivery its receiver's: past the first lease, no one else
    /// takes it.
    @Test func leasesAreRenewedWhileTheHandlerRuns() async throws {
        let url = try await Self.database()
        let runner = try await Self.open(url, name: "runner", lease: .seconds(3))
        defer { runner.close() }
        let other = try await Self.open(url, name: "other")
        defer { other.close() }
        _ = try await runner.record(Records.record(key: "k", handlers: ["crm"]))
        #expect(try await runner.claimDue(now: Date(), slots: ["crm": 1]).count == 1)
        try await Task.sleep(for: .seconds(7)) // past two leases, renewed every second
        #expect(try await other.claimDue(now: Date(), slots: ["crm": 1]).isEmpty)
    }

    /// docs/reference.md §4: a 200 means durably committed, so a database whose commits return before the WAL
    /// is flushed is refused at open, with a sentence that says what to change.
    @Test func synchronousCommitOffIsRefused() async throws {
        let url = try await Self.database()
        try await Self.admin(url) { admin in
            let name = try #require(try admin.query("SELECT current_database()").text(0, 0))
            try admin.execute("ALTER DATABASE \(name) SET synchronous_commit = off")
        }
        _ = try await Blocking.onThread {
            #expect {
                try Self.openNow(url, name: "a")
            } throws: { error in
                (error as? InboxError)?.code == .unsafeConfiguration
                    && (error as? InboxError)?.detail.contains("synchronous_commit") == true
            }
        }
    }

    /// A schema migrated by a newer program is refused; commands never create the schema.
    @Test func aNewerSchemaIsRefusedAndCommandsNeverCreateOne() async throws {
        let url = try await Self.database()
        try await Blocking.onThread {
            #expect {
                try Self.openNow(url, name: "cli", create: false)
            } throws: { error in
                (error as? InboxError)?.code == .storeMissing
            }
            let admin = try PostgresConnection(connectionString: url)
            defer { admin.close() }
            #expect(try admin.query("SELECT 1 FROM pg_namespace WHERE nspname = 'kyc_webhooks'").count == 0)
            try Self.openNow(url, name: "daemon").close()
            try admin.execute("UPDATE kyc_webhooks.schema_version SET version = 99")
            #expect {
                try Self.openNow(url, name: "daemon")
            } throws: { error in
                (error as? InboxError)?.code == .incompatibleSchema
            }
        }
    }

    /// Receivers starting at the same moment on an empty database migrate it once (the advisory lock): all
    /// of them open, and the schema is at the current version.
    @Test func receiversStartingTogetherMigrateOnce() async throws {
        let url = try await Self.database()
        let opened = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<4 {
                group.addTask {
                    try await Blocking.run {
                        try Self.openNow(url, name: "r\(index)").close()
                        return true
                    }
                }
            }
            return try await group.reduce(into: 0) { if $1 { $0 += 1 } }
        }
        #expect(opened == 4)
        let (version, rows) = try await Self.admin(url) { admin in
            (
                try admin.query("SELECT version FROM kyc_webhooks.schema_version").int64(0, 0),
                try admin.query("SELECT COUNT(*) FROM kyc_webhooks.schema_version").int64(0, 0)
            )
        }
        #expect(version == Int64(PostgresMigrations.all.count))
        #expect(rows == 1)
    }

    /// The server gone: every call fails (503 upstream) and readiness is down; back: the same inbox works again
    /// without being reopened, and counts the reconnect.
    @Test func aLostConnectionFailsCallsThenRecoversWithoutReopening() async throws {
        let url = try await Self.database()
        let inbox = try await Self.open(url, name: "a")
        defer { inbox.close() }
        _ = try await inbox.record(Records.record(key: "before", handlers: []))
        // Ends every session of this database, as a server restart or a failover does.
        try await Self.admin(url) { admin in
            let name = try #require(try admin.query("SELECT current_database()").text(0, 0))
            try admin.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                [.text(name)]
            )
        }
        await #expect(throws: PostgresError.self) { try await inbox.record(Records.record(key: "lost", handlers: [])) }
        // Within the backoff (0.1 s, doubling), the next calls reconnect and commit.
        var recorded: RecordOutcome?
        for _ in 0..<50 where recorded == nil {
            recorded = try? await inbox.record(Records.record(key: "after", handlers: []))
            if recorded == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(recorded == .accepted)
        try await inbox.ping()
        #expect(inbox.reconnects >= 1)
        #expect(try await inbox.listEvents(EventQuery()).map(\.key) == ["after", "before"])
    }

    /// docs/reference.md §8: deliveries queued by another receiver, or by a command on any host, wake an idle
    /// receiver (LISTEN/NOTIFY) well within two seconds; its own polling is only the fallback.
    @Test func deliveriesQueuedElsewhereWakeTheOtherReceivers() async throws {
        let url = try await Self.database()
        let idle = try await Self.open(url, name: "idle")
        defer { idle.close() }
        let wakeups = Wakeups()
        idle.observeQueuedDeliveries { wakeups.count.add(1, ordering: .relaxed) }
        try await Task.sleep(for: .milliseconds(300)) // its listener is listening
        let other = try await Self.open(url, name: "other")
        _ = try await other.record(Records.record(key: "k", handlers: ["crm"]))
        #expect(try await wakeups.waitFor(atLeast: 1))
        let claimed = try await other.claimDue(now: TestTime.at(1), slots: ["crm": 1])
        try await other.fail(claimed[0].id, error: "boom", retryAt: nil, now: TestTime.at(2))
        other.close()
        let before = wakeups.count.load(ordering: .relaxed)
        let command = try await Self.open(url, name: "cli", create: false)
        #expect(try await command.replay(key: "k", handler: nil, now: TestTime.at(3)) == 1)
        command.close()
        #expect(try await wakeups.waitFor(atLeast: before + 1))
    }

    /// Counts wake-ups; waits for them without blocking the pool.
    final class Wakeups: Sendable {
        let count = Atomic<Int>(0)

        /// Whether `count` reached `target` within two seconds.
        func waitFor(atLeast target: Int) async throws -> Bool {
            for _ in 0..<40 {
                if count.load(ordering: .relaxed) >= target { return true }
                try await Task.sleep(for: .milliseconds(50))
            }
            return count.load(ordering: .relaxed) >= target
        }
    }

    /// `store copy`: a sqlite store with events in every state, a rejected body and an event keyed by the
    /// previous key rule, into postgres; a second run copies nothing; redeliveries of copied events, the old
    /// one included, are `duplicate` there; a delivery left running is pending again.
    @Test func storeCopyMovesTheHistoryOnceAndKeepsItsDedupe() async throws {
        let directory = try TemporaryDirectory()
        let sqlite = try SQLiteInbox(path: directory.databasePath)
        for (key, at) in [("pending", 1.0), ("done", 2.0), ("dead", 3.0), ("running", 4.0)] {
            _ = try await sqlite.record(Records.person(key: key, receivedAt: at, handlers: ["crm"]))
        }
        let body = Array(
            #"{"event":"transaction.status_changed","timestamp":"2025-01-07T11:00:00Z","payload":{"id":"tx-1","status":"approved"}}"#
                .utf8
        )
        let context = DecodeContext(route: "/webhooks/gu1", receivedAt: TestTime.iso(5))
        let current = try Gu1Decoder.decode(body: body, context: context)
        var old = current
        old.key = "transaction.status_changed:tx-1" // as the previous key rule keyed it
        _ = try await sqlite.record(InboxRecord(event: old, eventJSON: old.jsonBytes(), rawBody: body, handlers: []))
        try await sqlite.recordRejected(Records.rejected(receivedAt: 6))
        let claimed = try await sqlite.claimDue(now: TestTime.at(10), slots: ["crm": 10])
        for delivery in claimed {
            switch delivery.eventKey {
            case "done": try await sqlite.complete(delivery.id, now: TestTime.at(11))
            case "dead": try await sqlite.fail(delivery.id, error: "boom", retryAt: nil, now: TestTime.at(11))
            case "pending": try await sqlite.release(delivery.id, now: TestTime.at(11))
            default: break // "running" stays running, as a crash would leave it
            }
        }
        sqlite.close()
        // The store was written before the key rule changed: its events up to here may hold previous keys.
        do {
            let connection = try SQLiteConnection(path: directory.databasePath, busyTimeoutMilliseconds: 5000)
            try connection.execute(
                "UPDATE store_meta SET value = (SELECT MAX(id) FROM events) WHERE name = 'previous_key_rule_last_event_id'"
            )
            try connection.close()
        }

        let url = try await Self.database()
        let options = PostgresInbox.Options(connectionString: url, receiverName: "copy")
        let path = directory.databasePath
        let first = try await Blocking.run { try StoreCopy.copy(sqlitePath: path, to: options, batchSize: 2) }
        #expect(first == StoreCopy.Summary(events: 5, alreadyThere: 0, rejected: 1))
        let again = try await Blocking.run { try StoreCopy.copy(sqlitePath: path, to: options, batchSize: 2) }
        #expect(again == StoreCopy.Summary())

        let postgres = try await Self.open(url, name: "receiver")
        defer { postgres.close() }
        #expect(try await postgres.listEvents(EventQuery(limit: 10)).count == 6)
        #expect(try await postgres.deliveries(of: "pending")["crm"]?.state == .pending)
        #expect(try await postgres.deliveries(of: "done")["crm"]?.state == .done)
        #expect(try await postgres.deliveries(of: "dead")["crm"]?.state == .dead)
        #expect(try await postgres.deliveries(of: "dead")["crm"]?.lastError == "boom")
        #expect(try await postgres.deliveries(of: "running")["crm"]?.state == .pending)
        #expect(try await postgres.listEvents(EventQuery(externalId: "cust-1")).count == 4)
        for key in ["pending", "done", "dead", "running"] {
            #expect(try await postgres.record(Records.person(key: key, handlers: ["crm"])) == .duplicate)
        }
        #expect(current.key == "transaction.status_changed:tx-1@2025-01-07T11:00:00Z")
        let redelivery = InboxRecord(event: current, eventJSON: current.jsonBytes(), rawBody: body, handlers: [])
        #expect(try await postgres.record(redelivery) == .duplicate)
    }
}
