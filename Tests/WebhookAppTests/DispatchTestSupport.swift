import Foundation
import Synchronization
import Testing
import WebhookApp
import WebhookCore
import WebhookStore
import WebhookTesting

/// A failure a test handler throws.
struct TestFailure: Error, CustomStringConvertible {
    var description: String { "test failure" }
}

/// Events for the dispatcher and handler tests. `payload` and `externalId` hold marker values that the
/// no-personal-data tests look for in logs.
enum TestEvents {
    static let payloadMarker = "Maria Exemplo"
    static let externalIdMarker = "customer_marker_42"

    static func event(
        key: String = "kyc.validation_approved:550e8400-e29b-41d4-a716-446655440000",
        type: String = "kyc.validation_approved",
        outcome: Outcome = .approved,
        externalId: String? = externalIdMarker,
        entityId: String? = "123e4567-e89b-12d3-a456-426614174000"
    ) -> WebhookEvent {
        WebhookEvent(
            key: key,
            source: "gu1.kyc",
            type: type,
            outcome: outcome,
            subjectId: String(key.split(separator: ":").last ?? ""),
            entityId: entityId,
            externalId: externalId,
            organizationId: "org-123",
            status: outcome.rawValue,
            occurredAt: "2025-01-07T11:00:00Z",
            receivedAt: "2026-11-22T10:00:00.123Z",
            deliveryId: nil,
            route: "/webhooks/gu1",
            rejection: nil,
            payload: RawJSON(bytes: Array(#"{"id":"x","entity":{"fullName":"\#(payloadMarker)"}}"#.utf8))
        )
    }

    /// Records `event` in `inbox` with one delivery per handler name.
    @discardableResult
    static func record(_ event: WebhookEvent, handlers: [String], in inbox: any Inbox) async throws -> RecordOutcome {
        let record = InboxRecord(
            event: event,
            eventJSON: event.jsonBytes(),
            rawBody: Array("{}".utf8),
            handlers: handlers
        )
        return try await withCheckedThrowingContinuation { continuation in
            inbox.record(record) { continuation.resume(with: $0) }
        }
    }

    /// The one delivery of `key` for `handler`.
    static func delivery(_ key: String, handler: String, in inbox: any Inbox) async throws -> Delivery {
        let detail = try #require(try await inbox.event(key: key))
        return try #require(detail.deliveries.first { $0.handler == handler })
    }
}

/// Collects `onResult` reports and lets a test wait for them.
final class ResultLog: Sendable {
    struct Entry: Sendable, Equatable {
        var handler: String
        var result: DeliveryResult
    }

    private struct State {
        var entries: [Entry] = []
        var waiters: [(predicate: @Sendable ([Entry]) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    var entries: [Entry] { state.withLock { $0.entries } }

    func count(_ handler: String, _ result: DeliveryResult) -> Int {
        entries.filter { $0 == Entry(handler: handler, result: result) }.count
    }

    func append(handler: String, result: DeliveryResult) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.entries.append(Entry(handler: handler, result: result))
            let entries = state.entries
            let ready = state.waiters.filter { $0.predicate(entries) }
            state.waiters.removeAll { $0.predicate(entries) }
            return ready.map(\.continuation)
        }
        for continuation in ready { continuation.resume() }
    }

    /// Waits (bounded by `within`) until `handler` has `count` results `result`.
    func wait(for handler: String, _ result: DeliveryResult, count: Int = 1, within seconds: Double = 15) async throws {
        try await wait(within: seconds) { entries in
            entries.filter { $0 == Entry(handler: handler, result: result) }.count >= count
        }
    }

    /// Waits (bounded by `within`) until there are `count` results in all.
    func wait(total count: Int, within seconds: Double = 15) async throws {
        try await wait(within: seconds) { $0.count >= count }
    }

    private func wait(within seconds: Double, until predicate: @escaping @Sendable ([Entry]) -> Bool) async throws {
        try await withTimeout(seconds: seconds) {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let isReady = self.state.withLock { state -> Bool in
                    if predicate(state.entries) { return true }
                    state.waiters.append((predicate, continuation))
                    return false
                }
                if isReady { continuation.resume() }
            }
        }
    }
}

/// A log handler that keeps every record, to check what the dispatcher logs.
final class CapturingLogHandler: LogHandler {
    private let records = Mutex<[LogRecord]>([])

    func log(_ record: LogRecord) {
        records.withLock { $0.append(record) }
    }

    var all: [LogRecord] { records.withLock { $0 } }

    /// Every message and metadata value, one string per record.
    var renderedLines: [String] {
        all.map { record in
            ([record.message] + record.metadata.map { "\($0.key)=\($0.value)" }.sorted()).joined(separator: " ")
        }
    }
}

/// A latch that tasks wait on until the test opens it.
final class Gate: Sendable {
    private struct State {
        var isOpen = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isOpen = state.withLock { state -> Bool in
                if state.isOpen { return true }
                state.waiters.append(continuation)
                return false
            }
            if isOpen { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.isOpen = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "the test waited more than \(seconds) s" }
}

/// Runs `operation`, failing with ``TimedOut`` when it takes longer than `seconds` of real time.
/// `operation` must return once cancelled.
func withTimeout<T: Sendable>(
    seconds: Double,
    _ operation: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimedOut(seconds: seconds) }
        return value
    }
}

/// A dispatcher under test on a ``ManualClock`` and a ``MemoryInbox``, running in a task of its own.
final class DispatchHarness: Sendable {
    static let pollInterval = Duration.milliseconds(500)

    let inbox: any Inbox
    let clock: ManualClock
    let results = ResultLog()
    let log = CapturingLogHandler()
    let dispatcher: Dispatcher
    private let task = Mutex<Task<Void, any Error>?>(nil)

    /// - Parameter random: the jitter source (0.5 by default: the middle of each backoff window).
    init(
        handlers: [Dispatcher.Registration],
        retry: RetryPolicy = RetryPolicy(maxAttempts: 4, initialDelay: .seconds(1), maxDelay: .seconds(8)),
        inbox: any Inbox = MemoryInbox(),
        clock: ManualClock = ManualClock(),
        random: @escaping @Sendable () -> Double = { 0.5 }
    ) {
        self.inbox = inbox
        self.clock = clock
        let results = self.results
        dispatcher = Dispatcher(
            inbox: inbox,
            handlers: handlers,
            retry: retry,
            clock: clock,
            pollInterval: Self.pollInterval,
            logger: Logger(label: "test", logLevel: .trace, handler: log),
            random: random,
            onResult: { handler, result in results.append(handler: handler, result: result) }
        )
    }

    /// Starts `run()` and waits until the dispatcher is idle on the clock.
    func start() async throws {
        let dispatcher = self.dispatcher
        task.withLock { $0 = Task { try await dispatcher.run() } }
        try await settle()
    }

    /// Waits until the claim loop sleeps on the clock again (it has looked at the inbox since the last advance).
    func settle() async throws {
        let clock = self.clock
        try await withTimeout(seconds: 15) { await clock.waitForSleepers(count: 1) }
    }

    /// Moves the clock by `duration` (at least the poll interval, so the idle loop wakes) and settles.
    func advance(by duration: Duration) async throws {
        clock.advance(by: duration)
        try await settle()
    }

    /// Advances the clock in poll-interval steps until `condition` holds (at most `limit` steps).
    func pump(limit: Int = 2000, until condition: @Sendable () async throws -> Bool) async throws {
        for _ in 0..<limit {
            if try await condition() { return }
            clock.advance(by: Self.pollInterval)
            try await Task.sleep(for: .milliseconds(1))
        }
        Issue.record("the condition did not hold after \(limit) poll intervals")
    }

    /// Waits (bounded) until the dispatcher has logged `message`.
    func waitForLog(_ message: String) async throws {
        for _ in 0..<15_000 {
            if log.all.contains(where: { $0.message == message }) { return }
            try await Task.sleep(for: .milliseconds(1))
        }
        throw TimedOut(seconds: 15)
    }

    /// Drains with `gracePeriod` and waits (bounded) for `run()` to return.
    func stop(gracePeriod: Duration = .zero) async throws {
        dispatcher.shutdown(gracePeriod: gracePeriod)
        try await waitForRunToReturn()
    }

    func waitForRunToReturn() async throws {
        guard let task = task.withLock({ $0 }) else { return }
        try await withTimeout(seconds: 15) { try await task.value }
    }

    /// Records `event` with deliveries for `handlers` and wakes the dispatcher.
    func record(_ event: WebhookEvent, handlers: [String]) async throws {
        try await TestEvents.record(event, handlers: handlers, in: inbox)
        dispatcher.wake()
    }

    deinit {
        task.withLock { $0?.cancel() }
    }
}
