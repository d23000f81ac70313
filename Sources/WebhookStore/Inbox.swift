public import Foundation
public import WebhookCore

/// One accepted event to record, with the handlers that get a delivery of it.
public struct InboxRecord: Sendable {
    public var event: WebhookEvent
    /// The event as handlers receive it (docs/reference.md §5 JSON).
    public var eventJSON: [UInt8]
    /// The exact bytes received (before decryption for ARGOS).
    public var rawBody: [UInt8]
    /// Names of the handlers whose `match` selects this event as built, not stale: one delivery each (a name
    /// given twice gets one).
    public var handlers: [String]
    /// Names of the handlers whose `match` selects this event should the store find it stale
    /// (docs/reference.md §5 "Order"): only the store knows, inside the transaction that records it.
    public var handlersIfStale: [String]

    /// - Parameters:
    ///   - eventJSON: the event as handlers receive it, with `"stale":false` (the store marks it when stale).
    ///   - handlers: the handlers that match the event when it is not stale.
    ///   - handlersIfStale: those that match it when it is stale; nil for the same as `handlers` (no handler
    ///     matches on `stale`).
    public init(
        event: WebhookEvent,
        eventJSON: [UInt8],
        rawBody: [UInt8],
        handlers: [String],
        handlersIfStale: [String]? = nil
    ) {
        self.event = event
        self.eventJSON = eventJSON
        self.rawBody = rawBody
        self.handlers = handlers
        self.handlersIfStale = handlersIfStale ?? handlers
    }
}

/// One event of a subject's timeline (`subjects show`, docs/reference.md §5 "Order"): no payload.
public struct SubjectEvent: Sendable, Equatable, Codable {
    public var key: String
    public var type: String
    public var source: String
    public var outcome: String
    /// The sender's time, ISO 8601 UTC, or nil (listed after the timed events, by receipt).
    public var occurredAt: String?
    public var receivedAt: String
    /// Whether a later event of the same source and subject was already recorded when this one was.
    public var stale: Bool

    public init(
        key: String,
        type: String,
        source: String,
        outcome: String,
        occurredAt: String?,
        receivedAt: String,
        stale: Bool
    ) {
        self.key = key
        self.type = type
        self.source = source
        self.outcome = outcome
        self.occurredAt = occurredAt
        self.receivedAt = receivedAt
        self.stale = stale
    }
}

/// Whether ``Inbox/record(_:completion:)`` stored a new event or found its key already there.
public enum RecordOutcome: String, Sendable, Equatable {
    case accepted
    case duplicate
}

/// An authentic body that failed to decode, kept for review (`events list --status rejected`).
public struct RejectedBody: Sendable {
    public var route: String
    public var receivedAt: String
    /// Why it was refused (a `DecodeError` detail: names a field or rule, never a value).
    public var reason: String
    /// The exact bytes received; dropped by `prune` after `payloadRetentionDays`.
    public var rawBody: [UInt8]
    public var deliveryId: String?

    public init(route: String, receivedAt: String, reason: String, rawBody: [UInt8], deliveryId: String?) {
        self.route = route
        self.receivedAt = receivedAt
        self.reason = reason
        self.rawBody = rawBody
        self.deliveryId = deliveryId
    }
}

/// The life of one delivery (one event for one handler).
public enum DeliveryState: String, Sendable, Equatable, Codable {
    /// Due at `nextAttemptAt`.
    case pending
    /// Claimed by a dispatcher worker.
    case running
    /// The handler succeeded.
    case done
    /// `maxAttempts` failed; waits for a replay.
    case dead
}

/// A delivery as `events show` lists it.
public struct Delivery: Sendable, Equatable, Codable {
    /// Names one delivery (one event for one handler) within its store: what a dispatcher completes, fails or
    /// releases. Not the sender's `deliveryId` (`X-Webhook-ID`), which names a transmission of an event.
    ///
    /// Encoded as the bare number, as `events show --json` has always printed it.
    public struct ID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible, ExpressibleByIntegerLiteral {
        /// The store's row number of the delivery.
        public var rawValue: Int64

        public init(_ rawValue: Int64) {
            self.rawValue = rawValue
        }

        public init(integerLiteral value: Int64) {
            self.init(value)
        }

        public init(from decoder: any Decoder) throws {
            self.init(try decoder.singleValueContainer().decode(Int64.self))
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }

        public static func < (left: ID, right: ID) -> Bool { left.rawValue < right.rawValue }

        public var description: String { String(rawValue) }
    }

    public var id: ID
    public var eventKey: String
    public var handler: String
    public var state: DeliveryState
    /// Attempts made so far (counted when claimed; a release takes it back; a replay starts again from 0).
    public var attempts: Int
    /// When it is due again (pending only).
    public var nextAttemptAt: Date?
    /// The last failure, truncated, never a payload value the handler did not print itself.
    public var lastError: String?
    public var updatedAt: Date

    public init(
        id: ID,
        eventKey: String,
        handler: String,
        state: DeliveryState,
        attempts: Int,
        nextAttemptAt: Date?,
        lastError: String?,
        updatedAt: Date
    ) {
        self.id = id
        self.eventKey = eventKey
        self.handler = handler
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.updatedAt = updatedAt
    }
}

/// A delivery a worker has claimed and must complete, fail or release.
public struct ClaimedDelivery: Sendable, Equatable {
    public var id: Delivery.ID
    public var eventKey: String
    public var handler: String
    /// The number of this attempt (1 for the first).
    public var attempt: Int
    /// The event as handlers receive it.
    public var eventJSON: [UInt8]

    public init(id: Delivery.ID, eventKey: String, handler: String, attempt: Int, eventJSON: [UInt8]) {
        self.id = id
        self.eventKey = eventKey
        self.handler = handler
        self.attempt = attempt
        self.eventJSON = eventJSON
    }
}

/// What `events list` filters on (docs/reference.md §2), and what `replay` by filter selects. Every filter
/// given must hold; each is an index lookup in the SQLite store.
public struct EventQuery: Sendable, Equatable {
    /// `accepted` (every recorded event), `pending`, `done`, `dead` (the event's status, see
    /// ``EventSummary/status``) or `rejected` (rejected bodies only). Nil lists recorded events and rejected
    /// bodies together. Anything else throws ``InboxError`` (`invalidQuery`).
    public var status: String?
    /// Exact type, or a glob with `*` (case-sensitive). Rejected bodies have no type, so a type filter
    /// excludes them, as do the source, outcome, subject and id filters.
    public var type: String?
    /// `gu1` or `argos`.
    public var source: String?
    /// The normalized outcome (`approved`, `rejected`, …).
    public var outcome: String?
    /// The event's `subjectId`.
    public var subjectId: String?
    /// The event's `externalId` (the operator's own id of the person).
    public var externalId: String?
    /// The event's `entityId` (Gu1's id of the person or company).
    public var entityId: String?
    /// Received at or after this time.
    public var since: Date?
    /// Received before this time.
    public var until: Date?
    /// The most lines returned, newest first.
    public var limit: Int

    public init(
        status: String? = nil,
        type: String? = nil,
        source: String? = nil,
        outcome: String? = nil,
        subjectId: String? = nil,
        externalId: String? = nil,
        entityId: String? = nil,
        since: Date? = nil,
        until: Date? = nil,
        limit: Int = 50
    ) {
        self.status = status
        self.type = type
        self.source = source
        self.outcome = outcome
        self.subjectId = subjectId
        self.externalId = externalId
        self.entityId = entityId
        self.since = since
        self.until = until
        self.limit = limit
    }

    /// Whether a filter only an event can satisfy is set, which leaves rejected bodies out.
    var excludesRejected: Bool {
        type != nil || source != nil || outcome != nil || subjectId != nil || externalId != nil || entityId != nil
    }
}

/// One line of `events list`: no payload, so no personal data.
public struct EventSummary: Sendable, Equatable, Codable {
    /// The key, or `rejected:<id>` for a rejected body.
    public var key: String
    public var type: String?
    public var source: String?
    public var outcome: String?
    public var route: String
    public var receivedAt: String
    /// From its deliveries: `dead` if any is dead (an operator must act), else `pending` if any is pending or
    /// running, else `done` (also when it has none); `rejected` for a rejected body.
    public var status: String
    /// For rejected bodies, why.
    public var reason: String?

    public init(
        key: String,
        type: String?,
        source: String?,
        outcome: String?,
        route: String,
        receivedAt: String,
        status: String,
        reason: String? = nil
    ) {
        self.key = key
        self.type = type
        self.source = source
        self.outcome = outcome
        self.route = route
        self.receivedAt = receivedAt
        self.status = status
        self.reason = reason
    }
}

/// `events show KEY`: the summary and its deliveries, no payload.
public struct EventDetail: Sendable, Equatable, Codable {
    public var summary: EventSummary
    public var subjectId: String?
    public var deliveryId: String?
    public var deliveries: [Delivery]

    public init(summary: EventSummary, subjectId: String?, deliveryId: String?, deliveries: [Delivery]) {
        self.summary = summary
        self.subjectId = subjectId
        self.deliveryId = deliveryId
        self.deliveries = deliveries
    }
}

/// Due, running and dead deliveries right now (for `/metrics`).
public struct QueueDepth: Sendable, Equatable {
    /// Pending deliveries whose `nextAttemptAt` has come.
    public var due: Int
    /// Deliveries claimed by a dispatcher and not yet recorded as ended (a handler running, or a result waiting
    /// for the store to take it): a count that stays up while nothing runs is a delivery stuck.
    public var running: Int
    public var dead: Int

    public init(due: Int, running: Int = 0, dead: Int) {
        self.due = due
        self.running = running
        self.dead = dead
    }
}

/// The durable inbox: records each event once and tracks its deliveries (docs/architecture.md "Storage").
///
/// `record` is the hot path: its completion runs, on some thread of the store's, only after the event and
/// its deliveries are durably committed (or the commit failed). It never blocks its caller on disk; the
/// completion may run before `record` returns (memory) or later on the store's writer thread (SQLite), so it
/// must be quick and thread-agnostic. Everything else is async. Times are passed in, so tests drive them;
/// stores keep them to the millisecond. Errors: ``InboxError`` for the inbox's own refusals; anything else
/// (``SQLiteError``, ``StoreFileError``) means the store is unavailable (503).
public protocol Inbox: AnyObject, Sendable {
    /// Records `record` atomically: the key unique, the event row, one delivery per handler, due at the
    /// event's `receivedAt` (so at once). A key already stored, even in the same commit, is `duplicate` and
    /// changes nothing.
    ///
    /// Decides, in the same atomic step, whether the event is stale (docs/reference.md §5 "Order"): it has an
    /// `occurredAt` and the store holds an event of the same `source` and `subjectId` with a later one. A
    /// stale event is stored with `"stale":true` in its JSON and gets `record.handlersIfStale`.
    func record(_ record: InboxRecord, completion: @escaping @Sendable (Result<RecordOutcome, any Error>) -> Void)

    /// Keeps an authentic body that failed to decode; it is listed as `rejected:<id>`.
    func recordRejected(_ body: RejectedBody, completion: @escaping @Sendable (Result<Void, any Error>) -> Void)

    /// Claims due pending deliveries (`nextAttemptAt <= now`), oldest first, marking them running and counting
    /// the attempt (``ClaimedDelivery/attempt`` is the new count).
    /// - Parameter slots: for each handler name, how many more it may take now (per-handler concurrency);
    ///   handlers not named, or with 0, get nothing.
    func claimDue(now: Date, slots: [String: Int]) async throws -> [ClaimedDelivery]

    /// The handler succeeded: the delivery is done (or pending again at `now` if a replay of it was asked
    /// for while it ran).
    /// - Throws: ``InboxError`` `deliveryNotFound` or `deliveryNotRunning`.
    func complete(_ delivery: Delivery.ID, now: Date) async throws

    /// The attempt failed: pending again at `retryAt`, or dead when `retryAt` is nil. `error` is kept as
    /// `lastError`, cut to 2 KiB. Same throws as ``complete(_:now:)``.
    func fail(_ delivery: Delivery.ID, error: String, retryAt: Date?, now: Date) async throws

    /// Puts a running delivery back to pending, due at `now`, without counting an attempt (drain at shutdown).
    /// Same throws as ``complete(_:now:)``.
    func release(_ delivery: Delivery.ID, now: Date) async throws

    /// At start: deliveries left running by a crash are due again at `now` (the interrupted attempt stays
    /// counted). Returns how many.
    func requeueRunning(now: Date) async throws -> Int

    /// Queues `key`'s dead deliveries again, or with `handler` that handler's delivery whatever its state.
    /// A queued delivery is pending, due at `now`, with its attempts reset to 0 (`lastError` kept). A running
    /// one is not claimed twice: it is queued again when its current run ends. An unknown key or handler
    /// queues nothing. Returns how many deliveries were queued.
    func replay(key: String, handler: String?, now: Date) async throws -> Int

    /// Queues every dead delivery again, as ``replay(key:handler:now:)`` does. Returns how many.
    func replayDead(now: Date) async throws -> Int

    /// Queues again every delivery of the events `query` selects (its `status` and `limit` aside), or with
    /// `handler` only that handler's, whatever their state, as ``replay(key:handler:now:)`` does with a handler.
    /// The n-th of them (oldest event first, from 0) is due at `now + n × spacing`, so that a bulk replay drains
    /// at that pace and the deliveries of new events, due when they arrive, keep their turn instead of waiting
    /// behind it. With `dryRun` nothing changes. Returns how many deliveries were (or would be) queued.
    func replay(
        matching query: EventQuery,
        handler: String?,
        now: Date,
        spacing: Duration,
        dryRun: Bool
    ) async throws -> Int

    /// `events list`: newest first (by `receivedAt`), filtered per ``EventQuery``.
    func listEvents(_ query: EventQuery) async throws -> [EventSummary]

    /// `subjects show`: the events of `subjectId` (any source), by `occurredAt` (compared as instants), then
    /// those without one by receipt.
    func subjectTimeline(_ subjectId: String) async throws -> [SubjectEvent]

    /// `events show`: the event with its deliveries, or a rejected body by its `rejected:<id>` key; nil if none.
    func event(key: String) async throws -> EventDetail?

    /// Drops payloads and raw bodies older than `payloadRetentionDays`, and events (keys) older than
    /// `keyRetentionDays` whose deliveries are all done or dead. Returns how many rows changed.
    ///
    /// Dropping a payload deletes the raw body and replaces the top-level `payload` member of the stored
    /// event JSON by `null`, keeping every other byte (a later replay gets the event without its payload).
    /// An event with a pending or running delivery is never touched: its handler still needs the payload.
    /// Rejected bodies lose their raw bytes after `payloadRetentionDays` and are deleted after
    /// `keyRetentionDays`. Ages count from `receivedAt`.
    func prune(now: Date, payloadRetentionDays: Int, keyRetentionDays: Int) async throws -> Int

    /// Due (pending with `nextAttemptAt <= now`), running and dead deliveries.
    func queueDepth(now: Date) async throws -> QueueDepth

    /// Throws unless the store can commit now (`/readyz`): after a failed commit, until one succeeds.
    func ping() async throws

    /// Finishes pending writes and closes; afterwards every call fails with ``InboxError`` `closed`.
    /// Idempotent. Called last at shutdown.
    func close()

    /// Calls `wake` (on some thread of the store's: it must be quick) when deliveries were queued elsewhere:
    /// by another receiver sharing the store, or by a command on any host (postgres: `LISTEN`/`NOTIFY`). A
    /// store without such news never calls it; the dispatcher's polling finds those deliveries anyway.
    func observeQueuedDeliveries(_ wake: @escaping @Sendable () -> Void)

    /// A store with a pool of database connections (postgres): the connections and the operations waiting for
    /// one now, for `/metrics`; nil for a store without one.
    var connectionPool: ConnectionPoolState? { get }
}

extension Inbox {
    public func observeQueuedDeliveries(_ wake: @escaping @Sendable () -> Void) {}

    public var connectionPool: ConnectionPoolState? { nil }
}

/// A store's connections at one moment (``Inbox/connectionPool``).
public struct ConnectionPoolState: Sendable, Equatable {
    /// Connections the store keeps: its writer's and its pool's.
    public var connections: Int
    /// Records and operations queued for a connection, not yet running.
    public var waiting: Int

    public init(connections: Int, waiting: Int) {
        self.connections = connections
        self.waiting = waiting
    }
}
