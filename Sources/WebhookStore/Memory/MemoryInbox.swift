public import Foundation
import Synchronization
import WebhookCore

/// An ``Inbox`` in memory: the same semantics as ``SQLiteInbox``, nothing survives the process.
///
/// For tests and `"store": {"kind": "memory"}` (demos). Thread-safe: every method takes one `Mutex`.
/// `record` and `recordRejected` call their completion synchronously, before they return, on the caller's
/// thread (callers must accept a completion on any thread, including their own).
///
/// ```swift
/// let inbox = MemoryInbox()
/// inbox.record(record) { result in /* .success(.accepted) */ }
/// let claimed = try await inbox.claimDue(now: .now, slots: ["audit": 4])
/// ```
public final class MemoryInbox: Inbox {
    // MARK: Stored rows

    private struct StoredEvent {
        var key: String
        var type: String
        var source: String
        var outcome: String
        var subjectId: String
        var externalId: String?
        var entityId: String?
        var route: String
        var receivedAt: String
        var receivedMilliseconds: Int64
        var deliveryId: String?
        var eventJSON: [UInt8]
        var rawBody: [UInt8]?
        var isPayloadPruned: Bool
        /// `occurredAt` when it reads as an instant (``EventTime/milliseconds(_:)``), with that instant.
        var occurredAt: String?
        var occurredMilliseconds: Int64?
        var isStale: Bool
        /// Insertion order, the tie-break of "newest first".
        var sequence: Int
    }

    private struct StoredDelivery {
        var id: Delivery.ID
        var eventKey: String
        var handler: String
        var state: DeliveryState
        var attempts: Int
        var nextAttemptMilliseconds: Int64?
        var lastError: String?
        var updatedMilliseconds: Int64
        /// A replay asked for while it ran: pending again when the run ends, whatever its result.
        var shouldRerun: Bool

        var delivery: Delivery {
            Delivery(
                id: id,
                eventKey: eventKey,
                handler: handler,
                state: state,
                attempts: attempts,
                nextAttemptAt: nextAttemptMilliseconds.map(StoreTime.date),
                lastError: lastError,
                updatedAt: StoreTime.date(updatedMilliseconds)
            )
        }

        /// Queued again from scratch: due at `now` with a fresh set of attempts.
        mutating func requeue(now: Int64) {
            state = .pending
            attempts = 0
            nextAttemptMilliseconds = now
            updatedMilliseconds = now
            shouldRerun = false
        }
    }

    private struct StoredRejected {
        var id: Int64
        var body: RejectedBody
        var rawBody: [UInt8]?
        var receivedMilliseconds: Int64
    }

    private struct State {
        var events: [String: StoredEvent] = [:]
        var deliveries: [Delivery.ID: StoredDelivery] = [:]
        /// The deliveries of each event key, in creation order.
        var deliveriesByKey: [String: [Delivery.ID]] = [:]
        var rejected: [StoredRejected] = []
        /// The keys of each subject's events (any source): `subjects show` and the stale verdict.
        var keysBySubject: [String: [String]] = [:]
        var lastDeliveryNumber: Int64 = 0
        var lastRejectedID: Int64 = 0
        var lastSequence = 0
        var isClosed = false

        func status(ofKey key: String) -> EventStatus {
            EventStatus.of((deliveriesByKey[key] ?? []).compactMap { deliveries[$0]?.state })
        }

        func hasOpenDeliveries(_ key: String) -> Bool {
            (deliveriesByKey[key] ?? []).contains { id in
                guard let state = deliveries[id]?.state else { return false }
                return state == .pending || state == .running
            }
        }

        func checkOpen(_ operation: String) throws {
            if isClosed { throw InboxError.closed(operation) }
        }

        /// The running delivery `id`, or the error that says why not.
        func runningDelivery(_ id: Delivery.ID, _ operation: String) throws -> StoredDelivery {
            try checkOpen(operation)
            guard let delivery = deliveries[id] else { throw InboxError.deliveryNotFound(id, operation) }
            guard delivery.state == .running else { throw InboxError.deliveryNotRunning(id, operation) }
            return delivery
        }

        func summary(of event: StoredEvent) -> EventSummary {
            EventSummary(
                key: event.key,
                type: event.type,
                source: event.source,
                outcome: event.outcome,
                route: event.route,
                receivedAt: event.receivedAt,
                status: status(ofKey: event.key).rawValue
            )
        }
    }

    private let state = Mutex(State())

    // MARK: Initialization

    public init() {}

    // MARK: Recording

    public func record(
        _ record: InboxRecord,
        completion: @escaping @Sendable (Result<RecordOutcome, any Error>) -> Void
    ) {
        let result: Result<RecordOutcome, any Error> = state.withLock { state in
            if state.isClosed { return .failure(InboxError.closed("record")) }
            let event = record.event
            if state.events[event.key] != nil { return .success(.duplicate) }
            let received = StoreTime.receivedMilliseconds(event.receivedAt)
            let occurred = event.occurredAt.flatMap(EventTime.milliseconds)
            // docs/reference.md §5 "Order": decided under the lock that records the event.
            var eventJSON = record.eventJSON
            var isStale = false
            if let occurred {
                var latest: Int64?
                for key in state.keysBySubject[event.subjectId] ?? [] {
                    guard let other = state.events[key], other.source == event.source,
                        let time = other.occurredMilliseconds
                    else { continue }
                    latest = max(latest ?? time, time)
                }
                if let latest, latest > occurred { isStale = StoredEventJSON.markStale(&eventJSON) }
            }
            state.lastSequence += 1
            state.events[event.key] = StoredEvent(
                key: event.key,
                type: event.type,
                source: event.source,
                outcome: event.outcome.rawValue,
                subjectId: event.subjectId,
                externalId: event.externalId,
                entityId: event.entityId,
                route: event.route,
                receivedAt: event.receivedAt,
                receivedMilliseconds: received,
                deliveryId: event.deliveryId,
                eventJSON: eventJSON,
                rawBody: record.rawBody,
                isPayloadPruned: false,
                occurredAt: occurred == nil ? nil : event.occurredAt,
                occurredMilliseconds: occurred,
                isStale: isStale,
                sequence: state.lastSequence
            )
            state.keysBySubject[event.subjectId, default: []].append(event.key)
            var ids: [Delivery.ID] = []
            for handler in uniqueHandlers(isStale ? record.handlersIfStale : record.handlers) {
                state.lastDeliveryNumber += 1
                let id = Delivery.ID(state.lastDeliveryNumber)
                state.deliveries[id] = StoredDelivery(
                    id: id,
                    eventKey: event.key,
                    handler: handler,
                    state: .pending,
                    attempts: 0,
                    nextAttemptMilliseconds: received,
                    lastError: nil,
                    updatedMilliseconds: received,
                    shouldRerun: false
                )
                ids.append(id)
            }
            state.deliveriesByKey[event.key] = ids
            return .success(.accepted)
        }
        completion(result)
    }

    public func recordRejected(
        _ body: RejectedBody,
        completion: @escaping @Sendable (Result<Void, any Error>) -> Void
    ) {
        let result: Result<Void, any Error> = state.withLock { state in
            if state.isClosed { return .failure(InboxError.closed("recordRejected")) }
            state.lastRejectedID += 1
            state.rejected.append(
                StoredRejected(
                    id: state.lastRejectedID,
                    body: body,
                    rawBody: body.rawBody,
                    receivedMilliseconds: StoreTime.receivedMilliseconds(body.receivedAt)
                )
            )
            return .success(())
        }
        completion(result)
    }

    // MARK: Deliveries

    public func claimDue(now: Date, slots: [String: Int]) async throws -> [ClaimedDelivery] {
        let now = StoreTime.milliseconds(now)
        return try state.withLock { state in
            try state.checkOpen("claimDue")
            var chosen: [StoredDelivery] = []
            for (handler, count) in slots where count > 0 {
                let due = state.deliveries.values
                    .filter {
                        $0.handler == handler && $0.state == .pending && ($0.nextAttemptMilliseconds ?? 0) <= now
                    }
                    .sorted(by: Self.dueOrder)
                chosen += due.prefix(count)
            }
            chosen.sort(by: Self.dueOrder)
            return chosen.map { delivery in
                var claimed = delivery
                claimed.state = .running
                claimed.attempts += 1
                claimed.nextAttemptMilliseconds = nil
                claimed.updatedMilliseconds = now
                state.deliveries[claimed.id] = claimed
                return ClaimedDelivery(
                    id: claimed.id,
                    eventKey: claimed.eventKey,
                    handler: claimed.handler,
                    attempt: claimed.attempts,
                    eventJSON: state.events[claimed.eventKey]?.eventJSON ?? PayloadRedaction.fallback
                )
            }
        }
    }

    private static func dueOrder(_ a: StoredDelivery, _ b: StoredDelivery) -> Bool {
        let left = a.nextAttemptMilliseconds ?? 0
        let right = b.nextAttemptMilliseconds ?? 0
        return left != right ? left < right : a.id < b.id
    }

    public func complete(_ delivery: Delivery.ID, now: Date) async throws {
        let now = StoreTime.milliseconds(now)
        try state.withLock { state in
            var stored = try state.runningDelivery(delivery, "complete")
            if stored.shouldRerun {
                stored.requeue(now: now)
            } else {
                stored.state = .done
                stored.nextAttemptMilliseconds = nil
                stored.updatedMilliseconds = now
            }
            state.deliveries[delivery] = stored
        }
    }

    public func fail(_ delivery: Delivery.ID, error: String, retryAt: Date?, now: Date) async throws {
        let now = StoreTime.milliseconds(now)
        try state.withLock { state in
            var stored = try state.runningDelivery(delivery, "fail")
            stored.lastError = StoreTime.truncatedError(error)
            if stored.shouldRerun {
                stored.requeue(now: now)
            } else if let retryAt {
                stored.state = .pending
                stored.nextAttemptMilliseconds = StoreTime.milliseconds(retryAt)
                stored.updatedMilliseconds = now
            } else {
                stored.state = .dead
                stored.nextAttemptMilliseconds = nil
                stored.updatedMilliseconds = now
            }
            state.deliveries[delivery] = stored
        }
    }

    public func release(_ delivery: Delivery.ID, now: Date) async throws {
        let now = StoreTime.milliseconds(now)
        try state.withLock { state in
            var stored = try state.runningDelivery(delivery, "release")
            if stored.shouldRerun {
                stored.requeue(now: now)
            } else {
                stored.state = .pending
                stored.attempts = max(0, stored.attempts - 1)
                stored.nextAttemptMilliseconds = now
                stored.updatedMilliseconds = now
            }
            state.deliveries[delivery] = stored
        }
    }

    public func requeueRunning(now: Date) async throws -> Int {
        let now = StoreTime.milliseconds(now)
        return try state.withLock { state in
            try state.checkOpen("requeueRunning")
            var count = 0
            for (id, var delivery) in state.deliveries where delivery.state == .running {
                if delivery.shouldRerun {
                    delivery.requeue(now: now)
                } else {
                    delivery.state = .pending
                    delivery.nextAttemptMilliseconds = now
                    delivery.updatedMilliseconds = now
                }
                state.deliveries[id] = delivery
                count += 1
            }
            return count
        }
    }

    public func replay(key: String, handler: String?, now: Date) async throws -> Int {
        let now = StoreTime.milliseconds(now)
        return try state.withLock { state in
            try state.checkOpen("replay")
            var count = 0
            for id in state.deliveriesByKey[key] ?? [] {
                guard var delivery = state.deliveries[id] else { continue }
                if let handler {
                    guard delivery.handler == handler else { continue }
                    if delivery.state == .running {
                        delivery.shouldRerun = true
                    } else {
                        delivery.requeue(now: now)
                    }
                } else {
                    guard delivery.state == .dead else { continue }
                    delivery.requeue(now: now)
                }
                state.deliveries[id] = delivery
                count += 1
            }
            return count
        }
    }

    public func replay(
        matching query: EventQuery,
        handler: String?,
        now: Date,
        spacing: Duration,
        dryRun: Bool
    ) async throws -> Int {
        let now = StoreTime.milliseconds(now)
        return try state.withLock { state in
            try state.checkOpen("replay")
            let events = state.events.values.filter { Self.selects(query, $0) }
                .sorted { ($0.receivedMilliseconds, $0.sequence) < ($1.receivedMilliseconds, $1.sequence) }
            let ids = events.flatMap { (state.deliveriesByKey[$0.key] ?? []).sorted() }.filter { id in
                handler == nil || state.deliveries[id]?.handler == handler
            }
            guard !dryRun else { return ids.count }
            let due = ReplayPace.dueTimes(count: ids.count, from: now, spacing: spacing)
            for (index, id) in ids.enumerated() {
                guard var delivery = state.deliveries[id] else { continue }
                if delivery.state == .running {
                    delivery.shouldRerun = true
                } else {
                    delivery.requeue(now: now)
                    delivery.nextAttemptMilliseconds = due[index]
                }
                state.deliveries[id] = delivery
            }
            return ids.count
        }
    }

    /// Whether `event` passes every filter of `query` but its status.
    private static func selects(_ query: EventQuery, _ event: StoredEvent) -> Bool {
        if let type = query.type, !TypePattern(type).matches(event.type) { return false }
        if let source = query.source, source != event.source { return false }
        if let outcome = query.outcome, outcome != event.outcome { return false }
        if let subject = query.subjectId, subject != event.subjectId { return false }
        if let externalId = query.externalId, externalId != event.externalId { return false }
        if let entityId = query.entityId, entityId != event.entityId { return false }
        if let since = query.since, event.receivedMilliseconds < StoreTime.milliseconds(since) { return false }
        if let until = query.until, event.receivedMilliseconds >= StoreTime.milliseconds(until) { return false }
        return true
    }

    public func replayDead(now: Date) async throws -> Int {
        let now = StoreTime.milliseconds(now)
        return try state.withLock { state in
            try state.checkOpen("replayDead")
            var count = 0
            for (id, var delivery) in state.deliveries where delivery.state == .dead {
                delivery.requeue(now: now)
                state.deliveries[id] = delivery
                count += 1
            }
            return count
        }
    }

    // MARK: Reading

    public func listEvents(_ query: EventQuery) async throws -> [EventSummary] {
        let filter = try EventStatus.Filter(query.status)
        let limit = max(0, query.limit)
        let since = query.since.map { StoreTime.milliseconds($0) } ?? Int64.min
        let until = query.until.map { StoreTime.milliseconds($0) } ?? Int64.max
        return try state.withLock { state in
            try state.checkOpen("listEvents")
            var rows: [ListedRow] = []
            if filter.includesEvents {
                for event in state.events.values where Self.selects(query, event) {
                    let summary = state.summary(of: event)
                    guard filter.matches(EventStatus(rawValue: summary.status) ?? .done) else { continue }
                    rows.append(
                        ListedRow(
                            receivedMilliseconds: event.receivedMilliseconds,
                            isRejected: false,
                            order: Int64(event.sequence),
                            summary: summary
                        )
                    )
                }
            }
            if filter.includesRejected, !query.excludesRejected {
                for rejected in state.rejected
                where rejected.receivedMilliseconds >= since && rejected.receivedMilliseconds < until {
                    rows.append(
                        ListedRow(
                            receivedMilliseconds: rejected.receivedMilliseconds,
                            isRejected: true,
                            order: rejected.id,
                            summary: Self.summary(of: rejected)
                        )
                    )
                }
            }
            return ListedRow.newestFirst(rows, limit: limit)
        }
    }

    private static func summary(of rejected: StoredRejected) -> EventSummary {
        EventSummary(
            key: "rejected:\(rejected.id)",
            type: nil,
            source: nil,
            outcome: nil,
            route: rejected.body.route,
            receivedAt: rejected.body.receivedAt,
            status: EventStatus.rejected.rawValue,
            reason: rejected.body.reason
        )
    }

    public func subjectTimeline(_ subjectId: String) async throws -> [SubjectEvent] {
        try state.withLock { state in
            try state.checkOpen("subjectTimeline")
            let events = (state.keysBySubject[subjectId] ?? []).compactMap { state.events[$0] }
            // As InboxDatabase.subjectTimeline: by occurredAt as instants, the untimed after them, then by receipt.
            return events.sorted { a, b in
                switch (a.occurredMilliseconds, b.occurredMilliseconds) {
                case (let x?, let y?) where x != y: return x < y
                case (.some, nil): return true
                case (nil, .some): return false
                default:
                    return a.receivedMilliseconds != b.receivedMilliseconds
                        ? a.receivedMilliseconds < b.receivedMilliseconds : a.sequence < b.sequence
                }
            }.map { event in
                SubjectEvent(
                    key: event.key,
                    type: event.type,
                    source: event.source,
                    outcome: event.outcome,
                    occurredAt: event.occurredAt,
                    receivedAt: event.receivedAt,
                    stale: event.isStale
                )
            }
        }
    }

    public func event(key: String) async throws -> EventDetail? {
        try state.withLock { state in
            try state.checkOpen("event")
            if let id = RejectedKey.id(key) {
                guard let rejected = state.rejected.first(where: { $0.id == id }) else { return nil }
                return EventDetail(
                    summary: Self.summary(of: rejected),
                    subjectId: nil,
                    deliveryId: rejected.body.deliveryId,
                    deliveries: []
                )
            }
            guard let event = state.events[key] else { return nil }
            let deliveries = (state.deliveriesByKey[key] ?? []).compactMap { state.deliveries[$0]?.delivery }
            return EventDetail(
                summary: state.summary(of: event),
                subjectId: event.subjectId,
                deliveryId: event.deliveryId,
                deliveries: deliveries
            )
        }
    }

    // MARK: Maintenance

    public func prune(now: Date, payloadRetentionDays: Int, keyRetentionDays: Int) async throws -> Int {
        let payloadCutoff = StoreTime.milliseconds(now) - Int64(payloadRetentionDays) * Retention.dayMilliseconds
        let keyCutoff = StoreTime.milliseconds(now) - Int64(keyRetentionDays) * Retention.dayMilliseconds
        return try state.withLock { state in
            try state.checkOpen("prune")
            var changed = 0
            for (key, var event) in state.events where !state.hasOpenDeliveries(key) {
                if event.receivedMilliseconds < keyCutoff {
                    state.events[key] = nil
                    state.keysBySubject[event.subjectId]?.removeAll { $0 == key }
                    for id in state.deliveriesByKey[key] ?? [] {
                        state.deliveries[id] = nil
                    }
                    state.deliveriesByKey[key] = nil
                    changed += 1
                } else if event.receivedMilliseconds < payloadCutoff, !event.isPayloadPruned {
                    event.rawBody = nil
                    event.eventJSON = PayloadRedaction.redactingPayload(event.eventJSON) ?? PayloadRedaction.fallback
                    event.isPayloadPruned = true
                    state.events[key] = event
                    changed += 1
                }
            }
            var kept: [StoredRejected] = []
            for var rejected in state.rejected {
                if rejected.receivedMilliseconds < keyCutoff {
                    changed += 1
                    continue
                }
                if rejected.receivedMilliseconds < payloadCutoff, rejected.rawBody != nil {
                    rejected.rawBody = nil
                    rejected.body.rawBody = []
                    changed += 1
                }
                kept.append(rejected)
            }
            state.rejected = kept
            return changed
        }
    }

    public func queueDepth(now: Date) async throws -> QueueDepth {
        let now = StoreTime.milliseconds(now)
        return try state.withLock { state in
            try state.checkOpen("queueDepth")
            var due = 0
            var running = 0
            var dead = 0
            for delivery in state.deliveries.values {
                switch delivery.state {
                case .pending where (delivery.nextAttemptMilliseconds ?? 0) <= now: due += 1
                case .running: running += 1
                case .dead: dead += 1
                default: break
                }
            }
            return QueueDepth(due: due, running: running, dead: dead)
        }
    }

    public func ping() async throws {
        try state.withLock { state in try state.checkOpen("ping") }
    }

    public func close() {
        state.withLock { $0.isClosed = true }
    }
}
