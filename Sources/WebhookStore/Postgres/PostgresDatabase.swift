import Foundation
import WebhookCore

/// The inbox's statements on one PostgreSQL connection, with the same rules as the SQLite store's
/// (``InboxDatabase``): each method is one step of ``PostgresInbox``, which runs it inside a transaction on a
/// connection of its own thread. Times are epoch milliseconds.
///
/// What differs, for several receivers on one database: the key is unique in the database (`ON CONFLICT DO
/// NOTHING`), a subject's latest `occurredAt` is a row locked by the transaction that records an event of it
/// (so receivers recording copies of one subject's events at once agree on `stale`), and a claimed delivery
/// carries a lease (`lease_owner`, `lease_until_ms`) that its receiver renews; one whose lease ran out is
/// claimed again by any receiver (`FOR UPDATE SKIP LOCKED`: two receivers never claim the same row).
struct PostgresDatabase {
    let connection: PostgresConnection
    /// The quoted schema, prefixed to every table.
    let schema: String
    /// This receiver's name on its leases.
    let owner: String

    private var events: String { "\(schema).events" }
    private var deliveries: String { "\(schema).deliveries" }

    // MARK: Recording

    /// Records one event (inside the batch's transaction): the subject's latest time first (its row lock
    /// orders concurrent recordings of one subject), then the event unless its key is there, then its
    /// deliveries.
    func record(_ record: InboxRecord) throws -> RecordOutcome {
        let event = record.event
        let received = StoreTime.receivedMilliseconds(event.receivedAt)
        let occurred = event.occurredAt.flatMap(EventTime.milliseconds)
        var eventJSON = record.eventJSON
        var isStale = false
        if let occurred {
            let latest = try connection.query(
                """
                INSERT INTO \(schema).subjects (subject_id, source, latest_occurred_ms) VALUES ($1, $2, $3)
                ON CONFLICT (subject_id, source) DO UPDATE
                SET latest_occurred_ms = GREATEST(\(schema).subjects.latest_occurred_ms, EXCLUDED.latest_occurred_ms)
                RETURNING latest_occurred_ms
                """,
                [.text(event.subjectId), .text(event.source), .integer(occurred)]
            ).int64(0, 0)
            if let latest, latest > occurred {
                isStale = StoredEventJSON.markStale(&eventJSON)
            }
        }
        let inserted = try connection.query(
            """
            INSERT INTO \(events) (key, type, source, outcome, subject_id, external_id, entity_id, route, received_at,
                                received_ms, delivery_id, event_json, raw_body, occurred_at, occurred_ms, stale)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
            ON CONFLICT (key) DO NOTHING
            RETURNING id
            """,
            [
                .text(event.key), .text(event.type), .text(event.source), .text(event.outcome.rawValue),
                .text(event.subjectId), .optionalText(event.externalId), .optionalText(event.entityId),
                .text(event.route), .text(event.receivedAt), .integer(received), .optionalText(event.deliveryId),
                .bytes(eventJSON), .bytes(record.rawBody), .optionalText(occurred == nil ? nil : event.occurredAt),
                occurred.map { .integer($0) } ?? .null, .text(isStale ? "true" : "false"),
            ]
        )
        guard let id = inserted.int64(0, 0) else { return .duplicate }
        let handlers = uniqueHandlers(isStale ? record.handlersIfStale : record.handlers)
        if !handlers.isEmpty {
            var values: [String] = []
            var parameters: [PostgresValue] = [.integer(id), .text(event.key), .integer(received)]
            for (index, handler) in handlers.enumerated() {
                values.append("($1, $2, $\(index + 4), 'pending', $3, $3)")
                parameters.append(.text(handler))
            }
            try connection.query(
                "INSERT INTO \(deliveries) (event_id, event_key, handler, state, next_attempt_ms, updated_ms) VALUES "
                    + values.joined(separator: ", "),
                parameters
            )
        }
        return .accepted
    }

    func recordRejected(_ body: RejectedBody) throws {
        try connection.query(
            """
            INSERT INTO \(schema).rejected (route, received_at, received_ms, reason, raw_body, delivery_id)
            VALUES ($1, $2, $3, $4, $5, $6)
            """,
            [
                .text(body.route), .text(body.receivedAt), .integer(StoreTime.receivedMilliseconds(body.receivedAt)),
                .text(body.reason), .bytes(body.rawBody), .optionalText(body.deliveryId),
            ]
        )
    }

    /// `/readyz` after a failed commit: one small write that must commit.
    func probeWrite() throws {
        try connection.query("UPDATE \(schema).probes SET count = count + 1 WHERE id = 1")
    }

    func ping() throws {
        try connection.query("SELECT 1")
    }

    // MARK: Deliveries

    /// Puts deliveries whose lease ran out (their receiver died or lost the database) back to pending, due at
    /// once; the interrupted attempt stays counted, as after a crash of a single receiver.
    func requeueExpired(now: Int64) throws -> Int {
        try connection.query(
            """
            UPDATE \(deliveries) SET state = 'pending', next_attempt_ms = $1, updated_ms = $1,
                attempts = CASE WHEN rerun THEN 0 ELSE attempts END, rerun = false,
                lease_owner = NULL, lease_until_ms = NULL
            WHERE state = 'running' AND lease_until_ms < $1
            """,
            [.integer(now)]
        ).affectedRows
    }

    func claimDue(now: Int64, slots: [String: Int], lease: Int64) throws -> [ClaimedDelivery] {
        var chosen: [(due: Int64, delivery: ClaimedDelivery)] = []
        for (handler, count) in slots.sorted(by: { $0.key < $1.key }) where count > 0 {
            let rows = try connection.query(
                """
                WITH due AS (
                    SELECT id, next_attempt_ms FROM \(deliveries)
                    WHERE state = 'pending' AND handler = $1 AND next_attempt_ms <= $2
                    ORDER BY next_attempt_ms, id LIMIT $3
                    FOR UPDATE SKIP LOCKED
                )
                UPDATE \(deliveries) d SET state = 'running', attempts = d.attempts + 1, next_attempt_ms = NULL,
                    updated_ms = $2, lease_owner = $4, lease_until_ms = $5
                FROM due, \(events) e
                WHERE d.id = due.id AND e.id = d.event_id
                RETURNING d.id, d.event_key, d.handler, d.attempts, due.next_attempt_ms, e.event_json
                """,
                [.text(handler), .integer(now), .integer(Int64(count)), .text(owner), .integer(now + lease)]
            )
            for row in 0..<rows.count {
                let delivery = ClaimedDelivery(
                    id: Delivery.ID(rows.int64(row, 0) ?? 0),
                    eventKey: rows.text(row, 1) ?? "",
                    handler: rows.text(row, 2) ?? "",
                    attempt: Int(rows.int64(row, 3) ?? 1),
                    eventJSON: rows.bytes(row, 5) ?? PayloadRedaction.fallback
                )
                chosen.append((rows.int64(row, 4) ?? now, delivery))
            }
        }
        chosen.sort { $0.due != $1.due ? $0.due < $1.due : $0.delivery.id < $1.delivery.id }
        return chosen.map(\.delivery)
    }

    /// Extends the leases of every delivery this receiver runs (they stay its own while its handlers run).
    func renewLeases(now: Int64, lease: Int64) throws -> Int {
        try connection.query(
            "UPDATE \(deliveries) SET lease_until_ms = $1 WHERE state = 'running' AND lease_owner = $2",
            [.integer(now + lease), .text(owner)]
        ).affectedRows
    }

    /// Locks the running delivery `id` and tells whether a replay asked for it to run again; throws if it is
    /// missing or not running.
    private func runningDelivery(_ id: Int64, _ operation: String) throws -> Bool {
        let rows = try connection.query(
            "SELECT state, rerun FROM \(deliveries) WHERE id = $1 FOR UPDATE",
            [.integer(id)]
        )
        guard rows.count == 1 else { throw InboxError.deliveryNotFound(Delivery.ID(id), operation) }
        guard rows.text(0, 0) == DeliveryState.running.rawValue else {
            throw InboxError.deliveryNotRunning(Delivery.ID(id), operation)
        }
        return rows.text(0, 1) == "t"
    }

    private func requeue(_ id: Int64, now: Int64) throws {
        try connection.query(
            """
            UPDATE \(deliveries) SET state = 'pending', attempts = 0, next_attempt_ms = $1, updated_ms = $1,
                rerun = false, lease_owner = NULL, lease_until_ms = NULL
            WHERE id = $2
            """,
            [.integer(now), .integer(id)]
        )
    }

    func complete(_ id: Int64, now: Int64) throws {
        if try runningDelivery(id, "complete") {
            try requeue(id, now: now)
        } else {
            try connection.query(
                """
                UPDATE \(deliveries) SET state = 'done', next_attempt_ms = NULL, updated_ms = $1,
                    lease_owner = NULL, lease_until_ms = NULL
                WHERE id = $2
                """,
                [.integer(now), .integer(id)]
            )
        }
    }

    func fail(_ id: Int64, error: String, retryAt: Int64?, now: Int64) throws {
        let shouldRerun = try runningDelivery(id, "fail")
        try connection.query(
            "UPDATE \(deliveries) SET last_error = $1 WHERE id = $2",
            [.text(StoreTime.truncatedError(error)), .integer(id)]
        )
        if shouldRerun {
            try requeue(id, now: now)
        } else {
            try connection.query(
                """
                UPDATE \(deliveries) SET state = $1, next_attempt_ms = $2, updated_ms = $3,
                    lease_owner = NULL, lease_until_ms = NULL
                WHERE id = $4
                """,
                [
                    .text(retryAt == nil ? "dead" : "pending"), retryAt.map { .integer($0) } ?? .null,
                    .integer(now), .integer(id),
                ]
            )
        }
    }

    func release(_ id: Int64, now: Int64) throws {
        if try runningDelivery(id, "release") {
            try requeue(id, now: now)
        } else {
            try connection.query(
                """
                UPDATE \(deliveries) SET state = 'pending', attempts = GREATEST(attempts - 1, 0), next_attempt_ms = $1,
                    updated_ms = $1, lease_owner = NULL, lease_until_ms = NULL
                WHERE id = $2
                """,
                [.integer(now), .integer(id)]
            )
        }
    }

    /// At start: the deliveries this receiver's name held when it stopped (its previous run crashed while they
    /// ran: due again at once, as after a crash of a single receiver), and those whose lease ran out. Those
    /// another live receiver runs stay its own.
    func requeueRunning(now: Int64) throws -> Int {
        try connection.query(
            """
            UPDATE \(deliveries) SET state = 'pending', next_attempt_ms = $1, updated_ms = $1,
                attempts = CASE WHEN rerun THEN 0 ELSE attempts END, rerun = false,
                lease_owner = NULL, lease_until_ms = NULL
            WHERE state = 'running' AND (lease_owner = $2 OR lease_until_ms < $1)
            """,
            [.integer(now), .text(owner)]
        ).affectedRows
    }

    // MARK: Replay

    private func eventID(key: String) throws -> Int64? {
        try connection.query("SELECT id FROM \(events) WHERE key = $1", [.text(key)]).int64(0, 0)
    }

    func replay(key: String, handler: String?, now: Int64) throws -> Int {
        guard let eventID = try eventID(key: key) else { return 0 }
        let reset = """
            state = 'pending', attempts = 0, next_attempt_ms = $1, updated_ms = $1, rerun = false,
            lease_owner = NULL, lease_until_ms = NULL
            """
        guard let handler else {
            return try connection.query(
                "UPDATE \(deliveries) SET \(reset) WHERE event_id = $2 AND state = 'dead'",
                [.integer(now), .integer(eventID)]
            ).affectedRows
        }
        var count = try connection.query(
            "UPDATE \(deliveries) SET rerun = true WHERE event_id = $1 AND handler = $2 AND state = 'running'",
            [.integer(eventID), .text(handler)]
        ).affectedRows
        count += try connection.query(
            "UPDATE \(deliveries) SET \(reset) WHERE event_id = $2 AND handler = $3 AND state <> 'running'",
            [.integer(now), .integer(eventID), .text(handler)]
        ).affectedRows
        return count
    }

    func replayDead(now: Int64) throws -> Int {
        try connection.query(
            """
            UPDATE \(deliveries) SET state = 'pending', attempts = 0, next_attempt_ms = $1, updated_ms = $1,
                rerun = false
            WHERE state = 'dead'
            """,
            [.integer(now)]
        ).affectedRows
    }

    /// The `WHERE` clause (with `$` placeholders from `first`) of the events `query` selects, status and limit
    /// aside: only the filters given, each an index lookup, as ``InboxDatabase/eventConditions(_:)``.
    static func eventConditions(_ query: EventQuery, first: Int = 1) -> (sql: String, arguments: [PostgresValue]) {
        var conditions: [String] = []
        var arguments: [PostgresValue] = []
        func add(_ condition: String, _ value: PostgresValue) {
            arguments.append(value)
            conditions.append(condition.replacingOccurrences(of: "?", with: "$\(first + arguments.count - 1)"))
        }
        if let type = query.type.map(TypePattern.init) {
            if type.isGlob {
                if let prefix = type.literalPrefix, !prefix.isEmpty {
                    add("e.type >= ?", .text(prefix))
                    add("e.type < ?", .text(prefix + "\u{10FFFF}"))
                }
                add("e.type LIKE ?", .text(type.likePattern))
            } else {
                add("e.type = ?", .text(type.pattern))
            }
        }
        if let source = query.source { add("e.source = ?", .text(source)) }
        if let outcome = query.outcome { add("e.outcome = ?", .text(outcome)) }
        if let subject = query.subjectId { add("e.subject_id = ?", .text(subject)) }
        if let externalId = query.externalId { add("e.external_id = ?", .text(externalId)) }
        if let entityId = query.entityId { add("e.entity_id = ?", .text(entityId)) }
        if let since = query.since { add("e.received_ms >= ?", .integer(StoreTime.milliseconds(since))) }
        if let until = query.until { add("e.received_ms < ?", .integer(StoreTime.milliseconds(until))) }
        return (conditions.isEmpty ? "true" : conditions.joined(separator: " AND "), arguments)
    }

    func deliveries(matching query: EventQuery, handler: String?) throws -> [(id: Int64, isRunning: Bool)] {
        var (conditions, arguments) = Self.eventConditions(query)
        var handlerCondition = ""
        if let handler {
            arguments.append(.text(handler))
            handlerCondition = "AND d.handler = $\(arguments.count)"
        }
        let rows = try connection.query(
            """
            SELECT d.id, d.state = 'running' FROM \(events) e JOIN \(deliveries) d ON d.event_id = e.id
            WHERE \(conditions) \(handlerCondition)
            ORDER BY e.received_ms, e.id, d.id
            """,
            arguments
        )
        return (0..<rows.count).map { (rows.int64($0, 0) ?? 0, rows.text($0, 1) == "t") }
    }

    func requeue(_ ids: [(id: Int64, isRunning: Bool)], due: [Int64], now: Int64) throws -> Int {
        var count = 0
        for (index, delivery) in ids.enumerated() {
            if delivery.isRunning {
                count +=
                    try connection.query(
                        "UPDATE \(deliveries) SET rerun = true WHERE id = $1 AND state = 'running'",
                        [.integer(delivery.id)]
                    ).affectedRows
            } else {
                count +=
                    try connection.query(
                        """
                        UPDATE \(deliveries) SET state = 'pending', attempts = 0, next_attempt_ms = $1, updated_ms = $2,
                            rerun = false, lease_owner = NULL, lease_until_ms = NULL
                        WHERE id = $3 AND state <> 'running'
                        """,
                        [.integer(due[index]), .integer(now), .integer(delivery.id)]
                    ).affectedRows
            }
        }
        return count
    }

    // MARK: Reading

    private var statusColumn: String {
        """
        CASE WHEN EXISTS (SELECT 1 FROM \(deliveries) d WHERE d.event_id = e.id AND d.state = 'dead') THEN 'dead'
             WHEN EXISTS (SELECT 1 FROM \(deliveries) d WHERE d.event_id = e.id AND d.state IN ('pending', 'running'))
             THEN 'pending'
             ELSE 'done' END
        """
    }

    private static func summary(_ rows: PostgresRows, _ row: Int) -> EventSummary {
        EventSummary(
            key: rows.text(row, 0) ?? "",
            type: rows.text(row, 1),
            source: rows.text(row, 2),
            outcome: rows.text(row, 3),
            route: rows.text(row, 4) ?? "",
            receivedAt: rows.text(row, 5) ?? "",
            status: rows.text(row, 6) ?? EventStatus.done.rawValue
        )
    }

    private static func rejectedSummary(_ rows: PostgresRows, _ row: Int) -> EventSummary {
        EventSummary(
            key: RejectedKey.key(rows.int64(row, 0) ?? 0),
            type: nil,
            source: nil,
            outcome: nil,
            route: rows.text(row, 1) ?? "",
            receivedAt: rows.text(row, 2) ?? "",
            status: EventStatus.rejected.rawValue,
            reason: rows.text(row, 3)
        )
    }

    func listEvents(_ query: EventQuery) throws -> [EventSummary] {
        let filter = try EventStatus.Filter(query.status)
        let limit = Int64(max(0, query.limit))
        var listed: [ListedRow] = []
        if filter.includesEvents {
            var (conditions, arguments) = Self.eventConditions(query)
            var statusCondition = ""
            if case .only(let status) = filter {
                arguments.append(.text(status.rawValue))
                statusCondition = "WHERE status = $\(arguments.count)"
            }
            arguments.append(.integer(limit))
            let rows = try connection.query(
                """
                SELECT key, type, source, outcome, route, received_at, status, received_ms, id FROM (
                    SELECT e.id, e.key, e.type, e.source, e.outcome, e.route, e.received_at, e.received_ms,
                           \(statusColumn) AS status
                    FROM \(events) e WHERE \(conditions)
                ) listed
                \(statusCondition)
                ORDER BY received_ms DESC, id DESC LIMIT $\(arguments.count)
                """,
                arguments
            )
            for row in 0..<rows.count {
                listed.append(
                    ListedRow(
                        receivedMilliseconds: rows.int64(row, 7) ?? 0,
                        isRejected: false,
                        order: rows.int64(row, 8) ?? 0,
                        summary: Self.summary(rows, row)
                    )
                )
            }
        }
        if filter.includesRejected, !query.excludesRejected {
            let since = query.since.map { StoreTime.milliseconds($0) } ?? Int64.min
            let until = query.until.map { StoreTime.milliseconds($0) } ?? Int64.max
            let rows = try connection.query(
                """
                SELECT id, route, received_at, reason, received_ms FROM \(schema).rejected
                WHERE received_ms >= $1 AND received_ms < $2
                ORDER BY received_ms DESC, id DESC LIMIT $3
                """,
                [.integer(since), .integer(until), .integer(limit)]
            )
            for row in 0..<rows.count {
                listed.append(
                    ListedRow(
                        receivedMilliseconds: rows.int64(row, 4) ?? 0,
                        isRejected: true,
                        order: rows.int64(row, 0) ?? 0,
                        summary: Self.rejectedSummary(rows, row)
                    )
                )
            }
        }
        return ListedRow.newestFirst(listed, limit: Int(limit))
    }

    func event(key: String) throws -> EventDetail? {
        if let id = RejectedKey.id(key) {
            let rows = try connection.query(
                "SELECT id, route, received_at, reason, delivery_id FROM \(schema).rejected WHERE id = $1",
                [.integer(id)]
            )
            guard rows.count == 1 else { return nil }
            return EventDetail(
                summary: Self.rejectedSummary(rows, 0),
                subjectId: nil,
                deliveryId: rows.text(0, 4),
                deliveries: []
            )
        }
        let rows = try connection.query(
            """
            SELECT e.key, e.type, e.source, e.outcome, e.route, e.received_at, \(statusColumn), e.subject_id,
                   e.delivery_id, e.id
            FROM \(events) e WHERE e.key = $1
            """,
            [.text(key)]
        )
        guard rows.count == 1, let eventID = rows.int64(0, 9) else { return nil }
        var detail = EventDetail(
            summary: Self.summary(rows, 0),
            subjectId: rows.text(0, 7),
            deliveryId: rows.text(0, 8),
            deliveries: []
        )
        let found = try connection.query(
            """
            SELECT id, event_key, handler, state, attempts, next_attempt_ms, last_error, updated_ms
            FROM \(deliveries) WHERE event_id = $1 ORDER BY id
            """,
            [.integer(eventID)]
        )
        detail.deliveries = (0..<found.count).map { row in
            Delivery(
                id: Delivery.ID(found.int64(row, 0) ?? 0),
                eventKey: found.text(row, 1) ?? "",
                handler: found.text(row, 2) ?? "",
                state: DeliveryState(rawValue: found.text(row, 3) ?? "") ?? .pending,
                attempts: Int(found.int64(row, 4) ?? 0),
                nextAttemptAt: found.int64(row, 5).map(StoreTime.date),
                lastError: found.text(row, 6),
                updatedAt: StoreTime.date(found.int64(row, 7) ?? 0)
            )
        }
        return detail
    }

    func subjectTimeline(_ subjectId: String) throws -> [SubjectEvent] {
        let rows = try connection.query(
            """
            SELECT key, type, source, outcome, occurred_at, received_at, stale FROM \(events)
            WHERE subject_id = $1
            ORDER BY occurred_ms ASC NULLS LAST, received_ms, id
            """,
            [.text(subjectId)]
        )
        return (0..<rows.count).map { row in
            SubjectEvent(
                key: rows.text(row, 0) ?? "",
                type: rows.text(row, 1) ?? "",
                source: rows.text(row, 2) ?? "",
                outcome: rows.text(row, 3) ?? "",
                occurredAt: rows.text(row, 4),
                receivedAt: rows.text(row, 5) ?? "",
                stale: rows.text(row, 6) == "t"
            )
        }
    }

    func queueDepth(now: Int64) throws -> QueueDepth {
        let rows = try connection.query(
            """
            SELECT (SELECT COUNT(*) FROM \(deliveries) WHERE state = 'pending' AND next_attempt_ms <= $1),
                   (SELECT COUNT(*) FROM \(deliveries) WHERE state = 'running'),
                   (SELECT COUNT(*) FROM \(deliveries) WHERE state = 'dead')
            """,
            [.integer(now)]
        )
        return QueueDepth(
            due: Int(rows.int64(0, 0) ?? 0),
            running: Int(rows.int64(0, 1) ?? 0),
            dead: Int(rows.int64(0, 2) ?? 0)
        )
    }

    // MARK: Maintenance

    /// As ``InboxDatabase/prune(now:payloadCutoff:keyCutoff:)``; a subject's latest time goes once none of its
    /// events is left (then a late retry of it is not stale, as in the SQLite store).
    func prune(now: Int64, payloadCutoff: Int64, keyCutoff: Int64) throws -> Int {
        let isSettled = """
            NOT EXISTS (SELECT 1 FROM \(deliveries) d WHERE d.event_id = e.id AND d.state IN ('pending', 'running'))
            """
        var changed = try connection.query(
            "DELETE FROM \(events) e WHERE received_ms < $1 AND \(isSettled)",
            [.integer(keyCutoff)]
        ).affectedRows
        if changed > 0 {
            try connection.query(
                """
                DELETE FROM \(schema).subjects s WHERE NOT EXISTS
                    (SELECT 1 FROM \(events) e WHERE e.subject_id = s.subject_id AND e.source = s.source)
                """
            )
        }
        let stale = try connection.query(
            """
            SELECT id, event_json FROM \(events) e
            WHERE received_ms < $1 AND payload_pruned_ms IS NULL AND \(isSettled)
            """,
            [.integer(payloadCutoff)]
        )
        for row in 0..<stale.count {
            let redacted = stale.bytes(row, 1).flatMap(PayloadRedaction.redactingPayload) ?? PayloadRedaction.fallback
            try connection.query(
                "UPDATE \(events) SET event_json = $1, raw_body = NULL, payload_pruned_ms = $2 WHERE id = $3",
                [.bytes(redacted), .integer(now), .integer(stale.int64(row, 0) ?? 0)]
            )
            changed += 1
        }
        changed += try connection.query(
            "DELETE FROM \(schema).rejected WHERE received_ms < $1",
            [.integer(keyCutoff)]
        ).affectedRows
        changed += try connection.query(
            "UPDATE \(schema).rejected SET raw_body = NULL WHERE received_ms < $1 AND raw_body IS NOT NULL",
            [.integer(payloadCutoff)]
        ).affectedRows
        return changed
    }
}

extension PostgresValue {
    static func optionalText(_ text: String?) -> PostgresValue { text.map { .text($0) } ?? .null }
}
