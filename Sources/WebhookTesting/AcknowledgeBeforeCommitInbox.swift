import Dispatch
public import Foundation
public import WebhookStore

/// An ``Inbox`` that breaks the receiver's one promise on purpose: `record` completes at once as `accepted`,
/// and the record is handed to the wrapped inbox only `delay` later.
///
/// The crash test's negative control runs the daemon over it (the `kyc-webhooks-ack-before-commit` test
/// executable), so that events are acknowledged before they are stored; its checker must then find
/// acknowledged events lost after `kill -9`, which shows it can. Everything else goes to the wrapped inbox.
/// Never for production: nothing outside the tests links it.
public final class AcknowledgeBeforeCommitInbox: Inbox {
    private let inner: any Inbox
    private let delay: Duration

    /// - Parameters:
    ///   - inner: the inbox that records, late, and does everything else.
    ///   - delay: how long after the acknowledgement the record is handed to `inner`.
    public init(wrapping inner: any Inbox, delay: Duration = .milliseconds(300)) {
        self.inner = inner
        self.delay = delay
    }

    /// Completes with `accepted` before anything is stored (even for a duplicate), then records late and
    /// drops the real outcome.
    public func record(
        _ record: InboxRecord,
        completion: @escaping @Sendable (Result<RecordOutcome, any Error>) -> Void
    ) {
        completion(.success(.accepted))
        let components = delay.components
        let nanoseconds = Int(components.seconds) * 1_000_000_000 + Int(components.attoseconds / 1_000_000_000)
        // Test kit only: a timer on a global queue is the simplest late commit (CONTRIBUTING.md rule 25 is
        // about the product).
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) { [inner] in
            inner.record(record) { _ in }
        }
    }

    public func recordRejected(_ body: RejectedBody, completion: @escaping @Sendable (Result<Void, any Error>) -> Void)
    {
        inner.recordRejected(body, completion: completion)
    }

    public func claimDue(now: Date, slots: [String: Int]) async throws -> [ClaimedDelivery] {
        try await inner.claimDue(now: now, slots: slots)
    }

    public func complete(_ delivery: Delivery.ID, now: Date) async throws {
        try await inner.complete(delivery, now: now)
    }

    public func fail(_ delivery: Delivery.ID, error: String, retryAt: Date?, now: Date) async throws {
        try await inner.fail(delivery, error: error, retryAt: retryAt, now: now)
    }

    public func subjectTimeline(_ subjectId: String) async throws -> [SubjectEvent] {
        try await inner.subjectTimeline(subjectId)
    }

    public func release(_ delivery: Delivery.ID, now: Date) async throws {
        try await inner.release(delivery, now: now)
    }

    public func requeueRunning(now: Date) async throws -> Int {
        try await inner.requeueRunning(now: now)
    }

    public func replay(key: String, handler: String?, now: Date) async throws -> Int {
        try await inner.replay(key: key, handler: handler, now: now)
    }

    public func replayDead(now: Date) async throws -> Int {
        try await inner.replayDead(now: now)
    }

    public func replay(
        matching query: EventQuery,
        handler: String?,
        now: Date,
        spacing: Duration,
        dryRun: Bool
    ) async throws -> Int {
        try await inner.replay(matching: query, handler: handler, now: now, spacing: spacing, dryRun: dryRun)
    }

    public func listEvents(_ query: EventQuery) async throws -> [EventSummary] {
        try await inner.listEvents(query)
    }

    public func event(key: String) async throws -> EventDetail? {
        try await inner.event(key: key)
    }

    public func prune(now: Date, payloadRetentionDays: Int, keyRetentionDays: Int) async throws -> Int {
        try await inner.prune(now: now, payloadRetentionDays: payloadRetentionDays, keyRetentionDays: keyRetentionDays)
    }

    public func queueDepth(now: Date) async throws -> QueueDepth {
        try await inner.queueDepth(now: now)
    }

    public func ping() async throws {
        try await inner.ping()
    }

    public func close() {
        inner.close()
    }
}
