import Foundation
import Synchronization
import Testing
import WebhookCore
import WebhookTesting

@testable import WebhookStore

/// The inbox implementations the behavioural suite runs against.
enum InboxKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory
    case sqlite
    /// A fresh database of the suite's throwaway cluster (``TestPostgres``).
    case postgres

    var testDescription: String { rawValue }
}

/// A fresh temporary directory, removed when the test drops it.
final class TemporaryDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("webhookstore-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A database path inside a folder that does not exist yet (the store creates it).
    var databasePath: String { url.appendingPathComponent("data/inbox.sqlite3").path }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

/// An inbox under test with what keeps it alive; closes it when dropped.
final class InboxUnderTest: Sendable {
    let inbox: any Inbox
    let directory: TemporaryDirectory

    /// Opens a fresh inbox of `kind`. Opening a postgres one blocks (the cluster's first start, a database,
    /// connections), so it runs on a thread of its own, never on the cooperative pool.
    init(_ kind: InboxKind) async throws {
        let directory = try TemporaryDirectory()
        self.directory = directory
        switch kind {
        case .memory: inbox = MemoryInbox()
        case .sqlite: inbox = try SQLiteInbox(path: directory.databasePath)
        case .postgres:
            inbox = try await Blocking.run {
                let cluster = try TestPostgres.shared()
                let database = try cluster.createDatabase()
                // The suite's clock jumps by minutes: a lease of an hour keeps a claim this receiver's throughout.
                return try PostgresInbox(
                    options: .init(
                        connectionString: cluster.connectionString(database: database),
                        poolSize: 3,
                        lease: .seconds(3600)
                    )
                )
            }
        }
    }

    deinit {
        inbox.close()
    }
}

/// Fixed instants: tests pass time in, never read the clock.
enum TestTime {
    static let base = Date(timeIntervalSince1970: 1_750_000_000)

    static func at(_ seconds: Double) -> Date { base.addingTimeInterval(seconds) }

    /// `base + seconds` as the receiver writes `receivedAt`.
    static func iso(_ seconds: Double) -> String {
        isoString(at(seconds))
    }

    static func isoString(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}

/// Builds records with synthetic, non-personal payloads.
enum Records {
    static func record(
        key: String,
        type: String = "kyc.validation_approved",
        receivedAt seconds: Double = 0,
        handlers: [String] = ["audit", "crm"],
        payload: String = #"{"id":"val-1","status":"approved"}"#
    ) -> InboxRecord {
        let event = WebhookEvent(
            key: key,
            source: "gu1.kyc",
            type: type,
            outcome: .approved,
            subjectId: "val-1",
            receivedAt: TestTime.iso(seconds),
            deliveryId: "msg-1",
            route: "/webhooks/gu1",
            payload: RawJSON(bytes: Array(payload.utf8))
        )
        let json = #"{"key":"\#(key)","type":"\#(type)","payload":\#(payload),"route":"/webhooks/gu1"}"#
        return InboxRecord(
            event: event,
            eventJSON: Array(json.utf8),
            rawBody: Array(#"{"event":"\#(type)","payload":\#(payload)}"#.utf8),
            handlers: handlers
        )
    }

    /// A record with every field the `events list` filters read, as the receiver builds it (real event JSON).
    static func person(
        key: String,
        type: String = "kyc.validation_approved",
        source: String = "gu1.kyc",
        outcome: Outcome = .approved,
        subject: String = "val-1",
        externalId: String? = "cust-1",
        entityId: String? = "ent-1",
        receivedAt seconds: Double = 0,
        handlers: [String] = ["audit", "crm"]
    ) -> InboxRecord {
        let payload = #"{"id":"\#(subject)"}"#
        let event = WebhookEvent(
            key: key,
            source: source,
            type: type,
            outcome: outcome,
            subjectId: subject,
            entityId: entityId,
            externalId: externalId,
            receivedAt: TestTime.iso(seconds),
            route: "/webhooks/gu1",
            payload: RawJSON(bytes: Array(payload.utf8))
        )
        return InboxRecord(
            event: event,
            eventJSON: event.jsonBytes(),
            rawBody: Array(#"{"event":"\#(type)","payload":\#(payload)}"#.utf8),
            handlers: handlers
        )
    }

    /// A record of a subject's event as the receiver builds it (real event JSON, `"stale":false`), with
    /// `handlers` for the event as is and `handlersIfStale` should the store find it stale.
    static func ordered(
        outcome: Outcome,
        occurredAt: String?,
        subject: String = "val-1",
        source: String = "gu1.kyc",
        receivedAt seconds: Double = 0,
        handlers: [String] = ["all", "fresh"],
        handlersIfStale: [String] = ["all"]
    ) -> InboxRecord {
        let type = "kyc.validation_\(outcome.rawValue)"
        let payload = #"{"id":"\#(subject)","status":"\#(outcome.rawValue)"}"#
        let event = WebhookEvent(
            key: "\(type):\(subject)@\(occurredAt ?? "none")",
            source: source,
            type: type,
            outcome: outcome,
            subjectId: subject,
            occurredAt: occurredAt,
            receivedAt: TestTime.iso(seconds),
            route: "/webhooks/gu1",
            payload: RawJSON(bytes: Array(payload.utf8))
        )
        let body = #"{"event":"\#(type)","timestamp":"\#(occurredAt ?? "")","payload":\#(payload)}"#
        return InboxRecord(
            event: event,
            eventJSON: event.jsonBytes(),
            rawBody: Array(body.utf8),
            handlers: handlers,
            handlersIfStale: handlersIfStale
        )
    }

    static func rejected(receivedAt seconds: Double = 0, reason: String = "payload.id: missing") -> RejectedBody {
        RejectedBody(
            route: "/webhooks/gu1",
            receivedAt: TestTime.iso(seconds),
            reason: reason,
            rawBody: Array(#"{"event":"kyc.validation_approved"}"#.utf8),
            deliveryId: nil
        )
    }
}

extension Inbox {
    /// `record` bridged to async for tests.
    func record(_ record: InboxRecord) async throws -> RecordOutcome {
        try await withCheckedThrowingContinuation { continuation in
            self.record(record) { continuation.resume(with: $0) }
        }
    }

    func recordRejected(_ body: RejectedBody) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            self.recordRejected(body) { continuation.resume(with: $0) }
        }
    }

    /// The deliveries of `key`, by handler.
    func deliveries(of key: String) async throws -> [String: Delivery] {
        let detail = try await event(key: key)
        return Dictionary(uniqueKeysWithValues: (detail?.deliveries ?? []).map { ($0.handler, $0) })
    }
}
