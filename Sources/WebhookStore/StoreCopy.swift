import Foundation
import WebhookCore

/// `kyc-webhooks store copy`: a SQLite store's history into a PostgreSQL one (docs/reference.md §2, §8), so
/// that a deployment outgrowing one machine keeps its dedupe history: every event with its key, its deliveries
/// and their states, and the rejected bodies.
///
/// In batches of `batchSize` source rows, oldest first, each batch in one PostgreSQL transaction that also
/// moves the source's mark in `copy_progress`: a copy that stopped (killed, the network gone) resumes after
/// the last batch that committed, and running it again copies nothing twice. An event whose key the target
/// already holds (it received it itself) is left as the target has it. A delivery left running by a crashed
/// daemon is copied as pending, due at once. Events keyed by the previous key rule (docs/reference.md §5) are
/// copied under the key the current rule gives them, so that their redeliveries to a postgres receiver are
/// still `duplicate`; one whose time and body are both gone keeps its old key.
///
/// Blocking: run it on a thread of its own (the CLI's main thread). The source may be in use by a daemon
/// (WAL readers do not block it); the target's daemons may run too.
public enum StoreCopy {
    /// What one run copied.
    public struct Summary: Sendable, Equatable {
        /// Events copied by this run.
        public var events = 0
        /// Events whose key the target already held.
        public var alreadyThere = 0
        /// Rejected bodies copied by this run.
        public var rejected = 0
    }

    /// Copies what the SQLite store at `sqlitePath` holds and `target` lacks.
    /// - Parameters:
    ///   - sqlitePath: an existing store of ours (opened, and migrated if it is older, first).
    ///   - target: the postgres store (its schema is created when missing).
    ///   - batchSize: source rows per transaction.
    ///   - progress: called after each committed batch with the summary so far.
    /// - Throws: ``InboxError``, ``SQLiteError`` or ``PostgresError``; what committed before stays.
    public static func copy(
        sqlitePath: String,
        to target: PostgresInbox.Options,
        batchSize: Int = 500,
        progress: (Summary) -> Void = { _ in }
    ) throws -> Summary {
        guard PostgresSchema.isValid(target.schema) else {
            throw InboxError(.invalidQuery, "store.schema must be a lowercase identifier (letters, digits, _)")
        }
        // Opening through the inbox checks that the file is a store of ours and brings its schema up to date.
        try SQLiteInbox(path: sqlitePath, options: .init(createIfMissing: false, verifyContent: false)).close()
        let source = try SQLiteConnection(path: sqlitePath, busyTimeoutMilliseconds: 5000)
        defer { try? source.close() }
        let sourceDatabase = InboxDatabase(connection: source)
        let previousRuleLastID = try sourceDatabase.readPreviousKeyRuleLastEventID()
        let sourceName = URL(fileURLWithPath: sqlitePath).resolvingSymlinksInPath().path

        let connection = try PostgresConnection(connectionString: target.connectionString)
        defer { connection.close() }
        try PostgresMigrations.migrate(connection, schema: target.schema, create: true)
        let schema = PostgresSchema.quoted(target.schema)
        try connection.query(
            "INSERT INTO \(schema).copy_progress (source) VALUES ($1) ON CONFLICT (source) DO NOTHING",
            [.text(sourceName)]
        )
        var summary = Summary()
        let now = StoreTime.milliseconds(Date())

        while true {
            let lastID =
                try connection.query(
                    "SELECT events_last_id FROM \(schema).copy_progress WHERE source = $1",
                    [.text(sourceName)]
                ).int64(0, 0) ?? 0
            let events = try source.statement(
                """
                SELECT e.id, e.key, e.type, e.source, e.outcome, e.subject_id, e.route, e.received_at, e.received_ms,
                       e.delivery_id, \(InboxDatabase.eventJSONColumns), e.payload_pruned_ms, e.occurred_at,
                       e.occurred_ms, e.stale, e.external_id, e.entity_id
                FROM events e WHERE e.id > ? ORDER BY e.id LIMIT ?
                """
            ).query([.integer(lastID), .integer(Int64(batchSize))]) { row in
                try CopiedEvent(row, source: sourceDatabase, previousRuleLastID: previousRuleLastID)
            }
            guard let last = events.last else { break }
            let deliveries = try source.statement(
                """
                SELECT event_id, handler, state, attempts, next_attempt_ms, last_error, updated_ms, rerun
                FROM deliveries WHERE event_id > ? AND event_id <= ? ORDER BY id
                """
            ).query([.integer(lastID), .integer(last.id)]) { row in
                (
                    eventID: row.int64(0), handler: row.text(1) ?? "", state: row.text(2) ?? "pending",
                    attempts: row.int64(3), next: row.optionalInt64(4), error: row.text(5), updated: row.int64(6),
                    rerun: row.int64(7) != 0
                )
            }
            let byEvent = Dictionary(grouping: deliveries, by: \.eventID)
            let counts = try connection.transaction { () -> (copied: Int, there: Int) in
                var copied = 0
                var there = 0
                for event in events {
                    let inserted = try connection.query(
                        """
                        INSERT INTO \(schema).events (key, type, source, outcome, subject_id, external_id, entity_id,
                            route, received_at, received_ms, delivery_id, event_json, raw_body, payload_pruned_ms,
                            occurred_at, occurred_ms, stale)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
                        ON CONFLICT (key) DO NOTHING RETURNING id
                        """,
                        event.values
                    )
                    guard let newID = inserted.int64(0, 0) else {
                        there += 1
                        continue
                    }
                    copied += 1
                    if let occurred = event.occurredMilliseconds {
                        try connection.query(
                            """
                            INSERT INTO \(schema).subjects (subject_id, source, latest_occurred_ms) VALUES ($1, $2, $3)
                            ON CONFLICT (subject_id, source) DO UPDATE SET latest_occurred_ms =
                                GREATEST(\(schema).subjects.latest_occurred_ms, EXCLUDED.latest_occurred_ms)
                            """,
                            [.text(event.subjectId), .text(event.source), .integer(occurred)]
                        )
                    }
                    for delivery in byEvent[event.id] ?? [] {
                        // Left running by a daemon that crashed: due again at once, as its restart would.
                        let isRunning = delivery.state == "running"
                        try connection.query(
                            """
                            INSERT INTO \(schema).deliveries (event_id, event_key, handler, state, attempts,
                                next_attempt_ms, last_error, updated_ms, rerun)
                            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, false)
                            ON CONFLICT (event_id, handler) DO NOTHING
                            """,
                            [
                                .integer(newID), .text(event.key), .text(delivery.handler),
                                .text(isRunning ? "pending" : delivery.state),
                                .integer(isRunning && delivery.rerun ? 0 : delivery.attempts),
                                isRunning ? .integer(now) : delivery.next.map { .integer($0) } ?? .null,
                                .optionalText(delivery.error), .integer(delivery.updated),
                            ]
                        )
                    }
                }
                try connection.query(
                    "UPDATE \(schema).copy_progress SET events_last_id = $1 WHERE source = $2",
                    [.integer(last.id), .text(sourceName)]
                )
                return (copied, there)
            }
            summary.events += counts.copied
            summary.alreadyThere += counts.there
            progress(summary)
        }

        while true {
            let lastID =
                try connection.query(
                    "SELECT rejected_last_id FROM \(schema).copy_progress WHERE source = $1",
                    [.text(sourceName)]
                ).int64(0, 0) ?? 0
            let rows = try source.statement(
                """
                SELECT id, route, received_at, received_ms, reason, raw_body, delivery_id
                FROM rejected WHERE id > ? ORDER BY id LIMIT ?
                """
            ).query([.integer(lastID), .integer(Int64(batchSize))]) { row -> (Int64, [PostgresValue]) in
                (
                    row.int64(0),
                    [
                        .text(row.text(1) ?? ""), .text(row.text(2) ?? ""), .integer(row.int64(3)),
                        .text(row.text(4) ?? ""), row.blob(5).map { .bytes($0) } ?? .null, .optionalText(row.text(6)),
                    ]
                )
            }
            guard let last = rows.last else { break }
            try connection.transaction {
                for (_, values) in rows {
                    try connection.query(
                        """
                        INSERT INTO \(schema).rejected (route, received_at, received_ms, reason, raw_body, delivery_id)
                        VALUES ($1, $2, $3, $4, $5, $6)
                        """,
                        values
                    )
                }
                try connection.query(
                    "UPDATE \(schema).copy_progress SET rejected_last_id = $1 WHERE source = $2",
                    [.integer(last.0), .text(sourceName)]
                )
            }
            summary.rejected += rows.count
            progress(summary)
        }
        return summary
    }
}

/// One source event as the copy writes it.
private struct CopiedEvent {
    var id: Int64
    var key: String
    var subjectId: String
    var source: String
    var occurredMilliseconds: Int64?
    /// The `INSERT` parameters, in its column order.
    var values: [PostgresValue]

    init(_ row: SQLiteStatement, source database: InboxDatabase, previousRuleLastID: Int64) throws {
        id = row.int64(0)
        key = row.text(1) ?? ""
        let type = row.text(2) ?? ""
        source = row.text(3) ?? ""
        subjectId = row.text(5) ?? ""
        occurredMilliseconds = row.optionalInt64(16)
        var eventJSON = InboxDatabase.eventJSON(row, from: 10) ?? PayloadRedaction.fallback
        // Recorded under the previous key rule: the current rule's key, from what was stored, so that a
        // redelivery finds it in a store that knows only the current rule.
        if id <= previousRuleLastID,
            let previousKey = IdempotencyKey.previousRuleKey(type: type, subjectId: subjectId), key == previousKey,
            let discriminator = try database.storedDiscriminator(eventID: id)
        {
            let currentKey = previousKey + "@" + discriminator
            eventJSON = Self.replacingKey(of: eventJSON, with: currentKey)
            key = currentKey
        }
        var people = (externalId: row.text(18), entityId: row.text(19))
        if people.externalId == nil && people.entityId == nil {
            people = StoredEventJSON.people(in: eventJSON)
        }
        if occurredMilliseconds == nil, let text = StoredEventJSON.occurredAt(in: eventJSON) {
            occurredMilliseconds = EventTime.milliseconds(text)
        }
        values = [
            .text(key), .text(type), .text(source), .text(row.text(4) ?? ""), .text(subjectId),
            .optionalText(people.externalId), .optionalText(people.entityId), .text(row.text(6) ?? ""),
            .text(row.text(7) ?? ""), .integer(row.int64(8)), .optionalText(row.text(9)), .bytes(eventJSON),
            row.blob(11).map { .bytes($0) } ?? .null, row.optionalInt64(14).map { .integer($0) } ?? .null,
            .optionalText(row.text(15)), occurredMilliseconds.map { .integer($0) } ?? .null,
            .text(row.int64(17) != 0 ? "true" : "false"),
        ]
    }

    /// The event JSON written again (``WebhookEvent/jsonBytes()``) with `key`; unchanged when it does not read
    /// as an event.
    static func replacingKey(of json: [UInt8], with key: String) -> [UInt8] {
        guard var event = try? WebhookEvent(json: json) else { return json }
        event.key = key
        return event.jsonBytes()
    }
}
