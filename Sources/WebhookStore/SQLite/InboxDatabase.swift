import Foundation
import WebhookCore

/// The inbox's SQL over one connection: every statement the store runs, nothing about threads.
///
/// `@unchecked Sendable` because it is handed from the opening thread to the writer thread once, and from
/// then on used only by that thread (``InboxWriter``); SQLite connections are opened `NOMUTEX`.
final class InboxDatabase: @unchecked Sendable {
    let connection: SQLiteConnection
    /// The keys recorded, for finding duplicates (writer thread only).
    let keys = KeyIndex()
    /// The last event id that may hold a key of the previous key rule (migration 5); read on first use.
    var previousKeyRuleLastEventID: Int64?
    /// Whether `subject_history` holds times of events recorded before migration 6; read on first use (nothing
    /// writes it afterwards, so another process cannot change the answer).
    var hasSubjectHistory: Bool?

    init(connection: SQLiteConnection) {
        self.connection = connection
    }

    // MARK: Recording

    /// Inserts the event unless its key exists, then one pending delivery per handler, due at receipt.
    /// Must run inside a write transaction (``InboxWriter/write(_:)``, which tells ``keys`` how it ended). A
    /// duplicate within the same transaction is a duplicate too.
    func insert(_ record: InboxRecord) throws -> RecordOutcome {
        let event = record.event
        let lookup = try keys.lookUp(event.key, connection)
        if lookup.eventID != nil { return .duplicate }
        if try isRedeliveryUnderPreviousKeyRule(event, rawBody: record.rawBody) { return .duplicate }
        let received = StoreTime.receivedMilliseconds(event.receivedAt)
        let occurred = event.occurredAt.flatMap(EventTime.milliseconds)
        // docs/reference.md §5 "Order": decided under the write lock, so exact beside this batch's other
        // records (inserted before this one) and other processes.
        var eventJSON = record.eventJSON
        var isStale = false
        if let occurred, let latest = try latestOccurred(subjectId: event.subjectId, source: event.source),
            latest > occurred
        {
            isStale = StoredEventJSON.markStale(&eventJSON)
        }
        let split = StoredEventJSON.split(eventJSON: eventJSON, rawBody: record.rawBody)
        try connection.statement(Self.insertEvent).execute([
            .text(event.key), .text(event.type), .text(event.source), .text(event.outcome.rawValue),
            .text(event.subjectId), .text(event.route), .text(event.receivedAt), .integer(received),
            .optionalText(event.deliveryId), .blob(Array(split.stored)), .blob(record.rawBody),
            split.payloadInRawBody.map { .integer(Int64($0.lowerBound)) } ?? .null,
            split.payloadInRawBody.map { .integer(Int64($0.upperBound)) } ?? .null,
            .optionalText(occurred == nil ? nil : event.occurredAt), occurred.map { .integer($0) } ?? .null,
            .integer(isStale ? 1 : 0), .optionalText(event.externalId), .optionalText(event.entityId),
        ])
        let id = connection.lastInsertRowID
        try connection.statement(Self.insertKey).execute([.integer(id), .text(event.key)])
        for (name, value) in [("externalId", event.externalId), ("entityId", event.entityId)] {
            guard let value else { continue }
            try connection.statement(Self.insertPerson).execute([
                .integer(PersonBucket.of(value)), .integer(id), .text(name), .text(value),
            ])
        }
        keys.inserted(lookup.digest, id: id)
        let handlers = uniqueHandlers(isStale ? record.handlersIfStale : record.handlers)
        if !handlers.isEmpty {
            let insertDelivery = try connection.statement(Self.insertDelivery)
            for handler in handlers {
                try insertDelivery.execute([
                    .integer(id), .text(event.key), .text(handler), .integer(received), .integer(received),
                ])
            }
        }
        return .accepted
    }

    // The statements run for every event, as literals (``SQLiteConnection/statement(_:)-StaticString``).
    private static let insertEvent: StaticString = """
        INSERT INTO events (key, type, source, outcome, subject_id, route, received_at, received_ms,
                            delivery_id, event_json, raw_body, payload_start, payload_end, occurred_at, occurred_ms,
                            stale, external_id, entity_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    /// One person id of an event (migration 7): appended at the end of its value's bucket.
    static let insertPerson: StaticString =
        "INSERT OR IGNORE INTO event_people (bucket, event_id, name, value) VALUES (?, ?, ?, ?)"
    /// The latest `occurredAt` of a subject and source: a seek at the end of its range of `events_by_subject`.
    static let latestOccurredSQL: StaticString =
        "SELECT MAX(occurred_ms) FROM events WHERE subject_id = ? AND source = ?"
    static let subjectHistorySQL: StaticString =
        "SELECT latest_occurred_ms FROM subject_history WHERE subject_id = ? AND source = ?"
    /// `subjects show`: the subject's rows of `events_by_subject`, sorted afterwards (a subject has few events,
    /// and those recorded before migration 6 have their time only in the event JSON).
    static let subjectTimelineSQL: StaticString = """
        SELECT key, type, source, outcome, occurred_at, occurred_ms, received_at, received_ms, id, stale,
               CASE WHEN occurred_ms IS NULL THEN event_json END
        FROM events WHERE subject_id = ?
        """

    /// The latest `occurredAt` of a subject and source, as epoch milliseconds: among the recorded events, and
    /// among those recorded before migration 6 (`subject_history`).
    private func latestOccurred(subjectId: String, source: String) throws -> Int64? {
        let arguments: [SQLiteValue] = [.text(subjectId), .text(source)]
        let recorded = try connection.statement(Self.latestOccurredSQL).query(arguments) { $0.optionalInt64(0) }
        let latest = recorded.first ?? nil
        if hasSubjectHistory == nil {
            let found = try connection.statement("SELECT 1 FROM subject_history LIMIT 1").query { _ in true }
            hasSubjectHistory = !found.isEmpty
        }
        guard hasSubjectHistory == true else { return latest }
        let history = try connection.statement(Self.subjectHistorySQL).query(arguments) { $0.int64(0) }.first
        guard let history else { return latest }
        return max(latest ?? history, history)
    }

    private static let insertKey: StaticString = "INSERT INTO event_keys (id, key) VALUES (?, ?)"
    private static let insertDelivery: StaticString = """
        INSERT INTO deliveries (event_id, event_key, handler, state, attempts, next_attempt_ms, updated_ms)
        VALUES (?, ?, ?, 'pending', 0, ?, ?)
        """

    /// The id of the event recorded under `key`, read from the file (a scan of the narrow `event_keys` table:
    /// for the CLI's `events show` and `replay`, which do not load ``keys``).
    private func storedEventID(key: String) throws -> Int64? {
        try connection.statement("SELECT id FROM event_keys WHERE key = ? LIMIT 1").query([.text(key)]) {
            $0.int64(0)
        }.first
    }

    /// Inserts a rejected body. Must run inside a transaction.
    func insert(_ body: RejectedBody) throws {
        try connection.statement(
            """
            INSERT INTO rejected (route, received_at, received_ms, reason, raw_body, delivery_id)
            VALUES (?, ?, ?, ?, ?, ?)
            """
        ).execute([
            .text(body.route), .text(body.receivedAt), .integer(StoreTime.receivedMilliseconds(body.receivedAt)),
            .text(body.reason), .blob(body.rawBody), .optionalText(body.deliveryId),
        ])
    }

    // MARK: Event JSON

    /// The columns ``eventJSON(_:from:)`` reads, in order, for an `events` table aliased `e`.
    static let eventJSONColumns = "e.event_json, e.raw_body, e.payload_start, e.payload_end"

    /// The event's JSON from the four ``eventJSONColumns`` starting at `column` (see ``StoredEventJSON``).
    static func eventJSON(_ row: SQLiteStatement, from column: Int32) -> [UInt8]? {
        StoredEventJSON.assemble(
            stored: row.blob(column) ?? [],
            rawBody: row.blob(column + 1),
            payloadStart: row.optionalInt64(column + 2),
            payloadEnd: row.optionalInt64(column + 3)
        )
    }

    // MARK: Deliveries

    func claimDue(now: Int64, slots: [String: Int]) throws -> [ClaimedDelivery] {
        let select = try connection.statement(
            """
            SELECT d.id, d.event_key, d.handler, d.attempts, d.next_attempt_ms, \(Self.eventJSONColumns)
            FROM deliveries d JOIN events e ON e.id = d.event_id
            WHERE d.state = 'pending' AND d.handler = ? AND d.next_attempt_ms <= ?
            ORDER BY d.next_attempt_ms, d.id LIMIT ?
            """
        )
        let markRunning = try connection.statement(
            """
            UPDATE deliveries SET state = 'running', attempts = attempts + 1, next_attempt_ms = NULL, updated_ms = ?
            WHERE id = ?
            """
        )
        var chosen: [(due: Int64, delivery: ClaimedDelivery)] = []
        for (handler, count) in slots.sorted(by: { $0.key < $1.key }) where count > 0 {
            chosen += try select.query([.text(handler), .integer(now), .integer(Int64(count))]) { row in
                let delivery = ClaimedDelivery(
                    id: Delivery.ID(row.int64(0)),
                    eventKey: row.text(1) ?? "",
                    handler: row.text(2) ?? "",
                    attempt: Int(row.int64(3)) + 1,
                    eventJSON: Self.eventJSON(row, from: 5) ?? PayloadRedaction.fallback
                )
                return (row.int64(4), delivery)
            }
        }
        for (_, delivery) in chosen {
            try markRunning.execute([.integer(now), .integer(delivery.id.rawValue)])
        }
        chosen.sort { $0.due != $1.due ? $0.due < $1.due : $0.delivery.id < $1.delivery.id }
        return chosen.map(\.delivery)
    }

    /// Whether the running delivery `id` was asked to run again; throws if it is missing or not running.
    private func runningDelivery(_ id: Int64, _ operation: String) throws -> Bool {
        let rows = try connection.statement("SELECT state, rerun FROM deliveries WHERE id = ?").query([.integer(id)]) {
            ($0.text(0), $0.int64(1) != 0)
        }
        guard let row = rows.first else { throw InboxError.deliveryNotFound(Delivery.ID(id), operation) }
        guard row.0 == DeliveryState.running.rawValue else {
            throw InboxError.deliveryNotRunning(Delivery.ID(id), operation)
        }
        return row.1
    }

    /// Pending again from scratch: due at `now` with a fresh set of attempts (a replay).
    private func requeue(_ id: Int64, now: Int64) throws {
        try connection.statement(
            """
            UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_ms = ?, updated_ms = ?, rerun = 0
            WHERE id = ?
            """
        ).execute([.integer(now), .integer(now), .integer(id)])
    }

    func complete(_ id: Int64, now: Int64) throws {
        if try runningDelivery(id, "complete") {
            try requeue(id, now: now)
        } else {
            try connection.statement(
                "UPDATE deliveries SET state = 'done', next_attempt_ms = NULL, updated_ms = ? WHERE id = ?"
            ).execute([.integer(now), .integer(id)])
        }
    }

    func fail(_ id: Int64, error: String, retryAt: Int64?, now: Int64) throws {
        let shouldRerun = try runningDelivery(id, "fail")
        try connection.statement("UPDATE deliveries SET last_error = ? WHERE id = ?")
            .execute([.text(StoreTime.truncatedError(error)), .integer(id)])
        if shouldRerun {
            try requeue(id, now: now)
        } else if let retryAt {
            try connection.statement(
                "UPDATE deliveries SET state = 'pending', next_attempt_ms = ?, updated_ms = ? WHERE id = ?"
            ).execute([.integer(retryAt), .integer(now), .integer(id)])
        } else {
            try connection.statement(
                "UPDATE deliveries SET state = 'dead', next_attempt_ms = NULL, updated_ms = ? WHERE id = ?"
            ).execute([.integer(now), .integer(id)])
        }
    }

    func release(_ id: Int64, now: Int64) throws {
        if try runningDelivery(id, "release") {
            try requeue(id, now: now)
        } else {
            try connection.statement(
                """
                UPDATE deliveries SET state = 'pending', attempts = MAX(attempts - 1, 0), next_attempt_ms = ?,
                                      updated_ms = ?
                WHERE id = ?
                """
            ).execute([.integer(now), .integer(now), .integer(id)])
        }
    }

    func requeueRunning(now: Int64) throws -> Int {
        try connection.statement(
            """
            UPDATE deliveries SET state = 'pending', next_attempt_ms = ?, updated_ms = ?,
                                  attempts = CASE WHEN rerun THEN 0 ELSE attempts END, rerun = 0
            WHERE state = 'running'
            """
        ).execute([.integer(now), .integer(now)])
        return connection.changes
    }

    func replay(key: String, handler: String?, now: Int64) throws -> Int {
        guard let eventID = try storedEventID(key: key) else { return 0 }
        guard let handler else {
            try connection.statement(
                """
                UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_ms = ?, updated_ms = ?, rerun = 0
                WHERE event_id = ? AND state = 'dead'
                """
            ).execute([.integer(now), .integer(now), .integer(eventID)])
            return connection.changes
        }
        // Running: not claimed twice at once; it runs again when the current run ends.
        try connection.statement(
            "UPDATE deliveries SET rerun = 1 WHERE event_id = ? AND handler = ? AND state = 'running'"
        ).execute([.integer(eventID), .text(handler)])
        var count = connection.changes
        try connection.statement(
            """
            UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_ms = ?, updated_ms = ?, rerun = 0
            WHERE event_id = ? AND handler = ? AND state <> 'running'
            """
        ).execute([.integer(now), .integer(now), .integer(eventID), .text(handler)])
        count += connection.changes
        return count
    }

    func replayDead(now: Int64) throws -> Int {
        try connection.statement(
            """
            UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_ms = ?, updated_ms = ?, rerun = 0
            WHERE state = 'dead'
            """
        ).execute([.integer(now), .integer(now)])
        return connection.changes
    }

    // MARK: Reading

    /// An event's status from its deliveries, as ``EventStatus/of(_:)`` defines it. `+d.state` keeps SQLite from
    /// answering the EXISTS through `deliveries_by_state` (a walk of every dead delivery for each event): it
    /// seeks the event's own deliveries by `(event_id, handler)`.
    private static let statusColumn = """
        CASE WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND +d.state = 'dead') THEN 'dead'
             WHEN EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND +d.state IN ('pending', 'running'))
             THEN 'pending'
             ELSE 'done' END
        """

    private static func eventSummary(_ row: SQLiteStatement) -> EventSummary {
        EventSummary(
            key: row.text(0) ?? "",
            type: row.text(1),
            source: row.text(2),
            outcome: row.text(3),
            route: row.text(4) ?? "",
            receivedAt: row.text(5) ?? "",
            status: row.text(6) ?? EventStatus.done.rawValue
        )
    }

    private static func rejectedSummary(_ row: SQLiteStatement) -> EventSummary {
        EventSummary(
            key: RejectedKey.key(row.int64(0)),
            type: nil,
            source: nil,
            outcome: nil,
            route: row.text(1) ?? "",
            receivedAt: row.text(2) ?? "",
            status: EventStatus.rejected.rawValue,
            reason: row.text(3)
        )
    }

    /// The `WHERE` clause of the events that `query` selects (its status and limit aside) and its arguments:
    /// only the filters given, so that each is an index lookup (`(?1 IS NULL OR …)` forms would scan).
    /// - Parameter seeksTypeRange: for a type glob with a literal prefix, seek the range of that prefix in
    ///   `events_by_type` (and sort what it finds); false walks the events by receipt and tests each type,
    ///   which stops at the listing's limit (``listEvents(_:)`` decides by how many events the range holds).
    static func eventConditions(
        _ query: EventQuery,
        seeksTypeRange: Bool = true
    ) -> (sql: String, arguments: [SQLiteValue]) {
        var conditions: [String] = []
        var arguments: [SQLiteValue] = []
        func add(_ condition: String, _ values: SQLiteValue...) {
            conditions.append(condition)
            arguments += values
        }
        if let type = query.type.map(TypePattern.init) {
            if type.isGlob {
                // SQLite seeks an index for a GLOB only with a literal pattern; a bound one gets the range of
                // its literal prefix spelled out (`kyc.*`: from `kyc.` up to `kyc.` and the last code point).
                if seeksTypeRange, let prefix = type.literalPrefix, !prefix.isEmpty {
                    add("e.type >= ? AND e.type < ?", .text(prefix), .text(prefix + "\u{10FFFF}"))
                    add("e.type GLOB ?", .text(type.sqliteGlob))
                } else {
                    add("+e.type GLOB ?", .text(type.sqliteGlob))
                }
            } else {
                add("e.type = ?", .text(type.pattern))
            }
        }
        if let source = query.source { add("e.source = ?", .text(source)) }
        if let outcome = query.outcome { add("e.outcome = ?", .text(outcome)) }
        if let subject = query.subjectId { add("e.subject_id = ?", .text(subject)) }
        // A seek of the value's bucket of event_people, then its rows (migration 7).
        for (name, value) in [("externalId", query.externalId), ("entityId", query.entityId)] {
            guard let value else { continue }
            add(
                "e.id IN (SELECT event_id FROM event_people WHERE bucket = ? AND name = '\(name)' AND value = ?)",
                .integer(PersonBucket.of(value)),
                .text(value)
            )
        }
        if let since = query.since { add("e.received_ms >= ?", .integer(StoreTime.milliseconds(since))) }
        if let until = query.until { add("e.received_ms < ?", .integer(StoreTime.milliseconds(until))) }
        return (conditions.isEmpty ? "1" : conditions.joined(separator: " AND "), arguments)
    }

    /// `events list`'s statement for the events `query` selects (its SQL depends on the filters given). A
    /// `dead` or `pending` status is sought through `deliveries_by_state` first (the few events an operator
    /// looks for among millions of done ones); `done` and `accepted` walk the events, most of which they match.
    static func listEventsSQL(
        _ query: EventQuery,
        status: Bool,
        seeksTypeRange: Bool = true
    ) -> (sql: String, arguments: [SQLiteValue]) {
        var (conditions, arguments) = eventConditions(query, seeksTypeRange: seeksTypeRange)
        switch query.status {
        case EventStatus.dead.rawValue?:
            conditions += " AND e.id IN (SELECT event_id FROM deliveries WHERE state = 'dead')"
        case EventStatus.pending.rawValue?:
            conditions += " AND e.id IN (SELECT event_id FROM deliveries WHERE state IN ('pending', 'running'))"
        default:
            break
        }
        let sql = """
            SELECT key, type, source, outcome, route, received_at, status, received_ms, id FROM (
                SELECT e.id, e.key, e.type, e.source, e.outcome, e.route, e.received_at, e.received_ms,
                       \(statusColumn) AS status
                FROM events e
                WHERE \(conditions)
            )
            \(status ? "WHERE status = ?" : "")
            ORDER BY received_ms DESC, id DESC LIMIT ?
            """
        return (sql, arguments)
    }

    func listEvents(_ query: EventQuery) throws -> [EventSummary] {
        let filter = try EventStatus.Filter(query.status)
        let limit = Int64(max(0, query.limit))
        var rows: [ListedRow] = []
        if filter.includesEvents {
            var status: String?
            if case .only(let only) = filter { status = only.rawValue }
            var (sql, arguments) = Self.listEventsSQL(
                query,
                status: status != nil,
                seeksTypeRange: try typeRangeIsSmall(query)
            )
            if let status { arguments.append(.text(status)) }
            arguments.append(.integer(limit))
            rows += try connection.statement(sql).query(arguments) { row in
                ListedRow(
                    receivedMilliseconds: row.int64(7),
                    isRejected: false,
                    order: row.int64(8),
                    summary: Self.eventSummary(row)
                )
            }
        }
        if filter.includesRejected, !query.excludesRejected {
            let since = query.since.map { StoreTime.milliseconds($0) } ?? Int64.min
            let until = query.until.map { StoreTime.milliseconds($0) } ?? Int64.max
            rows += try connection.statement(
                """
                SELECT id, route, received_at, reason, received_ms FROM rejected
                WHERE received_ms >= ? AND received_ms < ?
                ORDER BY received_ms DESC, id DESC LIMIT ?
                """
            ).query([.integer(since), .integer(until), .integer(limit)]) { row in
                ListedRow(
                    receivedMilliseconds: row.int64(4),
                    isRejected: true,
                    order: row.int64(0),
                    summary: Self.rejectedSummary(row)
                )
            }
        }
        return ListedRow.newestFirst(rows, limit: Int(limit))
    }

    /// Whether the glob of `query.type` matches few enough events (at most 5,000, counted in `events_by_type`,
    /// stopping there) that seeking its range and sorting beats walking the events by receipt until the limit.
    /// A broad glob (`kyc.*`) walks: it matches soon. A rare one (`rule.*` a year ago) seeks.
    private func typeRangeIsSmall(_ query: EventQuery) throws -> Bool {
        guard let type = query.type.map(TypePattern.init), type.isGlob, let prefix = type.literalPrefix,
            !prefix.isEmpty
        else { return true }
        let count = try connection.statement(
            "SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE type >= ? AND type < ? LIMIT 5001)"
        ).query([.text(prefix), .text(prefix + "\u{10FFFF}")]) { $0.int64(0) }
        return (count.first ?? 0) <= 5000
    }

    /// The deliveries of the events `query` selects (its status and limit aside), to `handler` only when given,
    /// oldest event first, with whether each is running: what a replay by filter queues.
    func deliveries(matching query: EventQuery, handler: String?) throws -> [(id: Int64, isRunning: Bool)] {
        var (conditions, arguments) = Self.eventConditions(query)
        var handlerCondition = ""
        if let handler {
            handlerCondition = "AND d.handler = ?"
            arguments.append(.text(handler))
        }
        return try connection.statement(
            """
            SELECT d.id, d.state = 'running' FROM events e JOIN deliveries d ON d.event_id = e.id
            WHERE \(conditions) \(handlerCondition)
            ORDER BY e.received_ms, e.id, d.id
            """
        ).query(arguments) { row in (row.int64(0), row.int64(1) != 0) }
    }

    /// Queues the deliveries `ids` again, each due at its time in `due` (same order): pending with its attempts
    /// reset, or, when running, marked to run again once its current run ends. Returns how many.
    func requeue(_ ids: [(id: Int64, isRunning: Bool)], due: [Int64], now: Int64) throws -> Int {
        let rerun = try connection.statement("UPDATE deliveries SET rerun = 1 WHERE id = ? AND state = 'running'")
        let pending = try connection.statement(
            """
            UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_ms = ?, updated_ms = ?, rerun = 0
            WHERE id = ? AND state <> 'running'
            """
        )
        var count = 0
        for (index, delivery) in ids.enumerated() {
            if delivery.isRunning {
                try rerun.execute([.integer(delivery.id)])
            } else {
                try pending.execute([.integer(due[index]), .integer(now), .integer(delivery.id)])
            }
            count += connection.changes
        }
        return count
    }

    func event(key: String) throws -> EventDetail? {
        if let id = RejectedKey.id(key) {
            return try connection.statement(
                "SELECT id, route, received_at, reason, delivery_id FROM rejected WHERE id = ?"
            ).query([.integer(id)]) { row in
                EventDetail(summary: Self.rejectedSummary(row), subjectId: nil, deliveryId: row.text(4), deliveries: [])
            }.first
        }
        guard let eventID = try storedEventID(key: key) else { return nil }
        let found = try connection.statement(
            """
            SELECT e.key, e.type, e.source, e.outcome, e.route, e.received_at, \(Self.statusColumn),
                   e.subject_id, e.delivery_id
            FROM events e WHERE e.id = ?
            """
        ).query([.integer(eventID)]) { row in
            EventDetail(
                summary: Self.eventSummary(row),
                subjectId: row.text(7),
                deliveryId: row.text(8),
                deliveries: []
            )
        }
        guard var detail = found.first else { return nil }
        detail.deliveries = try connection.statement(
            """
            SELECT id, event_key, handler, state, attempts, next_attempt_ms, last_error, updated_ms
            FROM deliveries WHERE event_id = ? ORDER BY id
            """
        ).query([.integer(eventID)]) { row in
            Delivery(
                id: Delivery.ID(row.int64(0)),
                eventKey: row.text(1) ?? "",
                handler: row.text(2) ?? "",
                state: DeliveryState(rawValue: row.text(3) ?? "") ?? .pending,
                attempts: Int(row.int64(4)),
                nextAttemptAt: row.optionalInt64(5).map(StoreTime.date),
                lastError: row.text(6),
                updatedAt: StoreTime.date(row.int64(7))
            )
        }
        return detail
    }

    func subjectTimeline(_ subjectId: String) throws -> [SubjectEvent] {
        typealias Row = (event: SubjectEvent, occurred: Int64?, received: Int64, id: Int64)
        let rows: [Row] = try connection.statement(Self.subjectTimelineSQL).query([.text(subjectId)]) { row in
            var occurredAt = row.text(4)
            var occurred = row.optionalInt64(5)
            if occurred == nil, let json = row.blob(10),
                let text = StoredEventJSON.occurredAt(in: json), let milliseconds = EventTime.milliseconds(text)
            {
                (occurredAt, occurred) = (text, milliseconds)
            }
            let event = SubjectEvent(
                key: row.text(0) ?? "",
                type: row.text(1) ?? "",
                source: row.text(2) ?? "",
                outcome: row.text(3) ?? "",
                occurredAt: occurredAt,
                receivedAt: row.text(6) ?? "",
                stale: row.int64(9) != 0
            )
            return (event, occurred, row.int64(7), row.int64(8))
        }
        // By occurredAt as instants, the untimed after them; then by receipt and recording.
        return rows.sorted { a, b in
            switch (a.occurred, b.occurred) {
            case (let x?, let y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.received != b.received ? a.received < b.received : a.id < b.id
            }
        }.map(\.event)
    }

    func queueDepth(now: Int64) throws -> QueueDepth {
        let rows = try connection.statement(
            """
            SELECT (SELECT COUNT(*) FROM deliveries WHERE state = 'pending' AND next_attempt_ms <= ?),
                   (SELECT COUNT(*) FROM deliveries WHERE state = 'running'),
                   (SELECT COUNT(*) FROM deliveries WHERE state = 'dead')
            """
        ).query([.integer(now)]) {
            QueueDepth(due: Int($0.int64(0)), running: Int($0.int64(1)), dead: Int($0.int64(2)))
        }
        return rows.first ?? QueueDepth(due: 0, dead: 0)
    }

    func ping() throws {
        _ = try connection.statement("SELECT COUNT(*) FROM sqlite_schema").query { $0.int64(0) }
    }

    // MARK: Maintenance

    /// Deletes events older than `keyCutoff` and redacts the payloads of those older than `payloadCutoff`,
    /// skipping every event with a pending or running delivery; the same for rejected bodies.
    func prune(now: Int64, payloadCutoff: Int64, keyCutoff: Int64) throws -> Int {
        let isSettled = """
            NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.state IN ('pending', 'running'))
            """
        // Deleting an event deletes its key row and deliveries (ON DELETE CASCADE).
        let deleted = try connection.statement(
            "DELETE FROM events AS e WHERE received_ms < ? AND \(isSettled) RETURNING key"
        ).query([.integer(keyCutoff)]) { $0.text(0) ?? "" }
        keys.deleted(deleted)
        var changed = deleted.count
        if !deleted.isEmpty {
            // The person rows below the oldest event left: a range of each bucket. Those of a deleted event
            // above it (an older one was kept for a pending delivery) stay, found by no lookup (they join
            // no event), until the oldest event is pruned too.
            let oldest = try connection.statement("SELECT MIN(id) FROM events").query { $0.optionalInt64(0) }
            let below = (oldest.first ?? nil) ?? Int64.max
            let deletePeople = try connection.statement("DELETE FROM event_people WHERE bucket = ? AND event_id < ?")
            for bucket in 0..<Int64(PersonBucket.count) {
                try deletePeople.execute([.integer(bucket), .integer(below)])
            }
        }
        let stale = try connection.statement(
            """
            SELECT id, \(Self.eventJSONColumns) FROM events e
            WHERE received_ms < ? AND payload_pruned_ms IS NULL AND \(isSettled)
            """
        ).query([.integer(payloadCutoff)]) { ($0.int64(0), Self.eventJSON($0, from: 1)) }
        let redact = try connection.statement(
            """
            UPDATE events SET event_json = ?, raw_body = NULL, payload_start = NULL, payload_end = NULL,
                              payload_pruned_ms = ?
            WHERE id = ?
            """
        )
        for (id, json) in stale {
            let redacted = json.flatMap(PayloadRedaction.redactingPayload) ?? PayloadRedaction.fallback
            try redact.execute([.blob(redacted), .integer(now), .integer(id)])
            changed += 1
        }
        try connection.statement("DELETE FROM rejected WHERE received_ms < ?").execute([.integer(keyCutoff)])
        changed += connection.changes
        try connection.statement("UPDATE rejected SET raw_body = NULL WHERE received_ms < ? AND raw_body IS NOT NULL")
            .execute([.integer(payloadCutoff)])
        changed += connection.changes
        return changed
    }

    /// The smallest real write: one page to the WAL and a sync, as a commit of events needs. `/readyz` runs it
    /// while the last commit failed, to learn when the store can commit again with no event to try it on.
    func probeWrite() throws {
        try connection.statement("UPDATE store_meta SET value = value + 1 WHERE name = 'readiness_probes'").execute()
    }

    // MARK: Testing hooks

    /// Sets `PRAGMA max_page_count` and returns the limit now in force (never below the current size).
    func setMaxPageCount(_ pages: Int) throws -> Int {
        Int(try connection.integer("PRAGMA max_page_count = \(max(1, pages))") ?? 0)
    }

    func pageCount() throws -> Int {
        Int(try connection.integer("PRAGMA page_count") ?? 0)
    }
}
