import WebhookCore

/// The schema, as ordered, append-only migrations recorded in `PRAGMA user_version`.
///
/// Never edit a migration that has shipped: append a new one. `user_version` is the number applied.
enum SQLiteMigrations {
    static let all: [String] = [
        // 1: events, deliveries, rejected bodies.
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            type TEXT NOT NULL,
            source TEXT NOT NULL,
            outcome TEXT NOT NULL,
            subject_id TEXT NOT NULL,
            route TEXT NOT NULL,
            received_at TEXT NOT NULL,
            received_ms INTEGER NOT NULL,
            delivery_id TEXT,
            event_json BLOB NOT NULL,
            raw_body BLOB,
            payload_pruned_ms INTEGER
        );
        CREATE INDEX events_by_received ON events (received_ms, id);
        CREATE INDEX events_by_type ON events (type);

        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            event_key TEXT NOT NULL REFERENCES events (key) ON DELETE CASCADE,
            handler TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'dead')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_ms INTEGER,
            last_error TEXT,
            updated_ms INTEGER NOT NULL,
            rerun INTEGER NOT NULL DEFAULT 0,
            UNIQUE (event_key, handler)
        );
        CREATE INDEX deliveries_due_by_handler ON deliveries (handler, next_attempt_ms, id) WHERE state = 'pending';
        CREATE INDEX deliveries_due ON deliveries (next_attempt_ms) WHERE state = 'pending';
        CREATE INDEX deliveries_by_state ON deliveries (state);

        CREATE TABLE rejected (
            id INTEGER PRIMARY KEY,
            route TEXT NOT NULL,
            received_at TEXT NOT NULL,
            received_ms INTEGER NOT NULL,
            reason TEXT NOT NULL,
            raw_body BLOB,
            delivery_id TEXT
        );
        CREATE INDEX rejected_by_received ON rejected (received_ms, id);
        """,
        // 2: an event whose payload is a run of its raw body stores only the rest of its JSON
        // (`StoredEventJSON`): event_json is then the head, and the payload is raw_body[payload_start..<payload_end].
        """
        ALTER TABLE events ADD COLUMN payload_start INTEGER;
        ALTER TABLE events ADD COLUMN payload_end INTEGER;
        """,
        // 3: no unique index on the event key (`KeyIndex`): with random keys, that B-tree dirtied a different
        // page for nearly every event, half of what each commit wrote. Keys go to event_keys, appended in id
        // order; the writer keeps them in memory to find duplicates. Deliveries refer to their event by id.
        // AUTOINCREMENT: an id is never reused after a prune, so "rows with id > the last one read" finds
        // every key another process added.
        """
        CREATE TABLE events_v3 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL,
            type TEXT NOT NULL,
            source TEXT NOT NULL,
            outcome TEXT NOT NULL,
            subject_id TEXT NOT NULL,
            route TEXT NOT NULL,
            received_at TEXT NOT NULL,
            received_ms INTEGER NOT NULL,
            delivery_id TEXT,
            event_json BLOB NOT NULL,
            raw_body BLOB,
            payload_pruned_ms INTEGER,
            payload_start INTEGER,
            payload_end INTEGER
        );
        INSERT INTO events_v3 (id, key, type, source, outcome, subject_id, route, received_at, received_ms,
                               delivery_id, event_json, raw_body, payload_pruned_ms, payload_start, payload_end)
            SELECT id, key, type, source, outcome, subject_id, route, received_at, received_ms,
                   delivery_id, event_json, raw_body, payload_pruned_ms, payload_start, payload_end
            FROM events;

        CREATE TABLE event_keys (
            id INTEGER PRIMARY KEY REFERENCES events_v3 (id) ON DELETE CASCADE,
            key TEXT NOT NULL
        );
        INSERT INTO event_keys (id, key) SELECT id, key FROM events_v3;

        CREATE TABLE deliveries_v3 (
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES events_v3 (id) ON DELETE CASCADE,
            event_key TEXT NOT NULL,
            handler TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'dead')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_ms INTEGER,
            last_error TEXT,
            updated_ms INTEGER NOT NULL,
            rerun INTEGER NOT NULL DEFAULT 0,
            UNIQUE (event_id, handler)
        );
        INSERT INTO deliveries_v3 (id, event_id, event_key, handler, state, attempts, next_attempt_ms, last_error,
                                   updated_ms, rerun)
            SELECT d.id, e.id, d.event_key, d.handler, d.state, d.attempts, d.next_attempt_ms, d.last_error,
                   d.updated_ms, d.rerun
            FROM deliveries d JOIN events_v3 e ON e.key = d.event_key;

        DROP TABLE deliveries;
        DROP TABLE events;
        ALTER TABLE events_v3 RENAME TO events;
        ALTER TABLE deliveries_v3 RENAME TO deliveries;
        CREATE INDEX events_by_received ON events (received_ms, id);
        CREATE INDEX events_by_type ON events (type);
        CREATE INDEX deliveries_due_by_handler ON deliveries (handler, next_attempt_ms, id) WHERE state = 'pending';
        CREATE INDEX deliveries_due ON deliveries (next_attempt_ms) WHERE state = 'pending';
        CREATE INDEX deliveries_by_state ON deliveries (state);
        """,
        // 4: no index on the event type. No query uses it (`events list --type` walks events_by_received newest
        // first and filters, which a LIMIT keeps short), yet every commit wrote one of its pages per type recorded.
        """
        DROP INDEX IF EXISTS events_by_type;
        """,
        // 5: store_meta, a table of named numbers: `readiness_probes`, the write `/readyz` commits while the
        // store is failing (``InboxDatabase/probeWrite()``), and the boundary of the previous key rule. The key rule changed (every type not documented as once per subject now gets a discriminator). An
        // event recorded before keeps its key; a redelivery of it, keyed by the new rule, must still find it
        // (`InboxDatabase+PreviousKeyRule.swift`). Only events up to this id can hold a key of the old rule, so a
        // store created under the new rule (0) never looks.
        """
        CREATE TABLE store_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO store_meta (name, value)
            SELECT 'previous_key_rule_last_event_id',
                   COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0);
        INSERT INTO store_meta (name, value) VALUES ('readiness_probes', 0);
        """,
        // 6: subject order (docs/reference.md §5 "Order"). `occurred_ms` is the event's `occurredAt` as epoch
        // milliseconds (NULL without one), `stale` the store's verdict when it was recorded. One index serves
        // both the verdict, MAX(occurred_ms) for a subject and source inside the recording transaction (an
        // index seek), and `subjects show`; a separate `subjects` table of latest times would add a second
        // B-tree written at a random page per event.
        //
        // The events already stored have their time only in their event JSON. Senders retry while the daemon
        // restarts for the upgrade, so those are the events a late retry must be compared with: the latest
        // time of each subject and source among them goes to `subject_history` (``backfillSubjectHistory(_:)``),
        // which the verdict reads beside the index and nothing writes again. Filling `occurred_ms` itself
        // would rewrite every stored row with its raw body (SQLite rewrites whole records): 5 times slower.
        """
        ALTER TABLE events ADD COLUMN occurred_at TEXT;
        ALTER TABLE events ADD COLUMN occurred_ms INTEGER;
        ALTER TABLE events ADD COLUMN stale INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX events_by_subject ON events (subject_id, source, occurred_ms);
        CREATE TABLE subject_history (
            subject_id TEXT NOT NULL,
            source TEXT NOT NULL,
            latest_occurred_ms INTEGER NOT NULL,
            PRIMARY KEY (subject_id, source)
        ) WITHOUT ROWID;
        """,
        // 7: `events list` and `replay` filters (docs/reference.md §2), each an index lookup in receive order:
        // by type, source and outcome (each index appends at the end of its value's range: a page per distinct
        // value in a commit) and by time (`events_by_received`). The person ids (`externalId`, `entityId`) are
        // random strings, and an index on one takes a random leaf page per event: measured, the two cost a
        // fifth of the receive path's throughput. They go instead to `event_people`, keyed by a bucket (one of
        // ``PersonBucket/count``, from a hash of the value) and the event id: each commit appends at the end of
        // a few buckets, and a lookup seeks its value's bucket and reads that one (an eighth of the table).
        // The events already stored get their rows from their event JSON (``backfillPeople(_:)``).
        """
        ALTER TABLE events ADD COLUMN external_id TEXT;
        ALTER TABLE events ADD COLUMN entity_id TEXT;
        CREATE INDEX events_by_type ON events (type, received_ms);
        CREATE INDEX events_by_source ON events (source, received_ms);
        CREATE INDEX events_by_outcome ON events (outcome, received_ms);
        CREATE TABLE event_people (
            bucket INTEGER NOT NULL,
            event_id INTEGER NOT NULL,
            name TEXT NOT NULL CHECK (name IN ('externalId', 'entityId')),
            value TEXT NOT NULL,
            PRIMARY KEY (bucket, event_id, name)
        ) WITHOUT ROWID;
        """,
    ]

    /// Migration 7's data step: the `externalId` and `entityId` of every stored event, read from its event JSON
    /// (the head is enough: both precede the payload), into `event_people`. Reads no raw body and rewrites no
    /// event (filling the new columns would rewrite every record with its raw body); in batches by id.
    static func backfillPeople(_ connection: SQLiteConnection) throws {
        let select = try connection.statement(
            "SELECT id, event_json FROM events WHERE id > ? ORDER BY id LIMIT 1000"
        )
        let insert = try connection.statement(InboxDatabase.insertPerson)
        var lastID: Int64 = 0
        while true {
            let rows = try select.query([.integer(lastID)]) { row in (row.int64(0), row.blob(1) ?? []) }
            guard let last = rows.last else { return }
            lastID = last.0
            for (id, json) in rows {
                let people = StoredEventJSON.people(in: json)
                for (name, value) in [("externalId", people.externalId), ("entityId", people.entityId)] {
                    guard let value else { continue }
                    try insert.execute([.integer(PersonBucket.of(value)), .integer(id), .text(name), .text(value)])
                }
            }
        }
    }

    /// Migration 6's data step: the latest `occurredAt` of each subject and source among the stored events, read
    /// from their event JSON (the head is enough: the time precedes the payload), into `subject_history`. Reads
    /// no raw body and rewrites no event; in batches by id, so a large table is never held in memory.
    static func backfillSubjectHistory(_ connection: SQLiteConnection) throws {
        let select = try connection.statement(
            "SELECT id, subject_id, source, event_json FROM events WHERE id > ? ORDER BY id LIMIT 1000"
        )
        let upsert = try connection.statement(
            """
            INSERT INTO subject_history (subject_id, source, latest_occurred_ms) VALUES (?, ?, ?)
            ON CONFLICT (subject_id, source) DO UPDATE
            SET latest_occurred_ms = MAX(latest_occurred_ms, excluded.latest_occurred_ms)
            """
        )
        var lastID: Int64 = 0
        while true {
            let rows = try select.query([.integer(lastID)]) { row in
                (row.int64(0), row.text(1) ?? "", row.text(2) ?? "", row.blob(3) ?? [])
            }
            guard let last = rows.last else { return }
            lastID = last.0
            for (_, subjectId, source, json) in rows {
                guard let occurredAt = StoredEventJSON.occurredAt(in: json),
                    let milliseconds = EventTime.milliseconds(occurredAt)
                else { continue }
                try upsert.execute([.text(subjectId), .text(source), .integer(milliseconds)])
            }
        }
    }

    /// Applies the migrations `connection` lacks, in one immediate transaction, so that two processes opening
    /// a new file at once cannot both apply them.
    /// - Throws: ``SQLiteError``, or ``InboxError`` when the file was written by a newer version.
    static func migrate(_ connection: SQLiteConnection) throws {
        try connection.inTransaction {
            let current = Int(try connection.integer("PRAGMA user_version") ?? 0)
            guard current <= all.count else {
                throw InboxError(
                    .incompatibleSchema,
                    "migrating the database: schema version \(current) is newer than this program's \(all.count)"
                )
            }
            for index in current..<all.count {
                try connection.execute(all[index])
                if index + 1 == 6 { try backfillSubjectHistory(connection) }
                if index + 1 == 7 { try backfillPeople(connection) }
                try connection.execute("PRAGMA user_version = \(index + 1)")
            }
            // Marks the file as ours (``StoreFileCheck``); files written before the mark get it here.
            if try connection.integer("PRAGMA application_id") != StoreFileCheck.applicationID {
                try connection.execute("PRAGMA application_id = \(StoreFileCheck.applicationID)")
            }
        }
    }
}
