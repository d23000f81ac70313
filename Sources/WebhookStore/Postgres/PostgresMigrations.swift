import Foundation

/// The PostgreSQL schema, as ordered, append-only migrations recorded in `<schema>.schema_version`, applied at
/// open under an advisory lock so that receivers starting together migrate once (docs/reference.md §8).
///
/// The tables follow the SQLite store's (docs/architecture.md, "Storage"), with what several receivers need:
/// the key unique in the database (no receiver holds them all in memory), and a lease on running deliveries
/// (`lease_owner`, `lease_until_ms`), so that a dead receiver's deliveries are claimed by another one.
enum PostgresMigrations {
    /// `{schema}` stands for the quoted schema name.
    static let all: [String] = [
        // 1: the whole schema of the first version. The compared text columns use the "C" collation (bytes),
        // whatever the database's: a type glob's prefix range (`kyc.` up to `kyc.` and U+10FFFF) and equality
        // then mean what they mean in the SQLite store.
        """
        CREATE TABLE {schema}.events (
            id BIGSERIAL PRIMARY KEY,
            key TEXT COLLATE "C" NOT NULL UNIQUE,
            type TEXT COLLATE "C" NOT NULL,
            source TEXT COLLATE "C" NOT NULL,
            outcome TEXT COLLATE "C" NOT NULL,
            subject_id TEXT COLLATE "C" NOT NULL,
            external_id TEXT COLLATE "C",
            entity_id TEXT COLLATE "C",
            route TEXT NOT NULL,
            received_at TEXT NOT NULL,
            received_ms BIGINT NOT NULL,
            delivery_id TEXT,
            event_json BYTEA NOT NULL,
            raw_body BYTEA,
            payload_pruned_ms BIGINT,
            occurred_at TEXT,
            occurred_ms BIGINT,
            stale BOOLEAN NOT NULL DEFAULT false
        );
        CREATE INDEX events_by_received ON {schema}.events (received_ms, id);
        CREATE INDEX events_by_subject ON {schema}.events (subject_id, source, occurred_ms);
        CREATE INDEX events_by_type ON {schema}.events (type, received_ms);
        CREATE INDEX events_by_source ON {schema}.events (source, received_ms);
        CREATE INDEX events_by_outcome ON {schema}.events (outcome, received_ms);
        CREATE INDEX events_by_external_id ON {schema}.events (external_id, received_ms) WHERE external_id IS NOT NULL;
        CREATE INDEX events_by_entity_id ON {schema}.events (entity_id, received_ms) WHERE entity_id IS NOT NULL;

        CREATE TABLE {schema}.subjects (
            subject_id TEXT NOT NULL,
            source TEXT NOT NULL,
            latest_occurred_ms BIGINT NOT NULL,
            PRIMARY KEY (subject_id, source)
        );

        CREATE TABLE {schema}.deliveries (
            id BIGSERIAL PRIMARY KEY,
            event_id BIGINT NOT NULL REFERENCES {schema}.events (id) ON DELETE CASCADE,
            event_key TEXT NOT NULL,
            handler TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'dead')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_ms BIGINT,
            last_error TEXT,
            updated_ms BIGINT NOT NULL,
            rerun BOOLEAN NOT NULL DEFAULT false,
            lease_owner TEXT,
            lease_until_ms BIGINT,
            UNIQUE (event_id, handler)
        );
        CREATE INDEX deliveries_due ON {schema}.deliveries (handler, next_attempt_ms, id) WHERE state = 'pending';
        CREATE INDEX deliveries_running ON {schema}.deliveries (lease_until_ms) WHERE state = 'running';
        CREATE INDEX deliveries_dead ON {schema}.deliveries (id) WHERE state = 'dead';

        CREATE TABLE {schema}.rejected (
            id BIGSERIAL PRIMARY KEY,
            route TEXT NOT NULL,
            received_at TEXT NOT NULL,
            received_ms BIGINT NOT NULL,
            reason TEXT NOT NULL,
            raw_body BYTEA,
            delivery_id TEXT,
            payload_pruned_ms BIGINT
        );
        CREATE INDEX rejected_by_received ON {schema}.rejected (received_ms, id);

        CREATE TABLE {schema}.probes (id INTEGER PRIMARY KEY, count BIGINT NOT NULL);
        INSERT INTO {schema}.probes (id, count) VALUES (1, 0);
        """,
        // 2: `store copy` (``StoreCopy``): how far the copy from each source store has come, written in the
        // transaction of each batch, so a copy that stopped resumes where it stopped and never copies twice.
        """
        CREATE TABLE {schema}.copy_progress (
            source TEXT PRIMARY KEY,
            events_last_id BIGINT NOT NULL DEFAULT 0,
            rejected_last_id BIGINT NOT NULL DEFAULT 0
        );
        """,
    ]

    /// The key of the advisory lock migrations run under (any fixed number; "KYCW" in ASCII).
    static let advisoryLockKey: Int64 = 0x4B59_4357

    /// Creates the schema when missing and applies the migrations it lacks, in one transaction under a
    /// transaction-level advisory lock: a second receiver starting at the same moment waits, then finds them
    /// applied.
    /// - Parameters:
    ///   - create: create the schema when there is none (the daemon); false for commands, which then throw
    ///     ``InboxError`` `storeMissing`.
    /// - Throws: ``PostgresError``, or ``InboxError`` (`incompatibleSchema`) when a newer program migrated it.
    static func migrate(_ connection: PostgresConnection, schema: String, create: Bool) throws {
        let quoted = PostgresSchema.quoted(schema)
        try connection.transaction {
            try connection.query("SELECT pg_advisory_xact_lock($1)", [.integer(advisoryLockKey)])
            let exists =
                try connection.query(
                    "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'schema_version'",
                    [.text(schema)]
                ).count == 1
            if !exists {
                guard create else {
                    throw InboxError(
                        .storeMissing,
                        "There is no kyc-webhooks schema \(schema) in this database yet: the daemon (kyc-webhooks "
                            + "serve) creates it on its first start. Check store.url and store.schema."
                    )
                }
                try connection.execute(
                    "CREATE SCHEMA IF NOT EXISTS \(quoted); CREATE TABLE \(quoted).schema_version (version INTEGER NOT NULL);"
                        + " INSERT INTO \(quoted).schema_version VALUES (0);"
                )
            }
            let current = Int(try connection.query("SELECT version FROM \(quoted).schema_version").int64(0, 0) ?? 0)
            guard current <= all.count else {
                throw InboxError(
                    .incompatibleSchema,
                    "migrating the database: schema \(schema) is at version \(current), newer than this program's "
                        + "\(all.count); run the newer kyc-webhooks, or a schema of its own"
                )
            }
            for index in current..<all.count {
                try connection.execute(all[index].replacingOccurrences(of: "{schema}", with: quoted))
                try connection.query("UPDATE \(quoted).schema_version SET version = $1", [.integer(Int64(index + 1))])
            }
        }
    }
}

/// The schema name of a postgres store (`store.schema`): an unquoted identifier, so that it is safe to write
/// into statements (it cannot carry a value from a request).
package enum PostgresSchema {
    /// Whether `name` is a lowercase identifier PostgreSQL takes unquoted: a letter or `_`, then letters,
    /// digits and `_`, at most 63 bytes.
    package static func isValid(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 63 else { return false }
        func isLetter(_ byte: UInt8) -> Bool { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || byte == 95 }
        return isLetter(first) && name.utf8.allSatisfy { isLetter($0) || (48...57).contains($0) }
    }

    /// `"name"`, for a name ``isValid(_:)`` accepted.
    static func quoted(_ name: String) -> String {
        precondition(isValid(name), "schema names are checked when the configuration is read")
        return "\"\(name)\""
    }
}
