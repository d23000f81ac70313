import Foundation
import Synchronization
import SystemSupport
public import WebhookCore
public import WebhookStore

/// The result of one delivery attempt, as reported to ``Dispatcher``'s `onResult` (for metrics).
public enum DeliveryResult: String, Sendable, Equatable, CaseIterable {
    /// The handler succeeded; the delivery is done.
    case succeeded
    /// The handler failed; the delivery is pending again at its backoff time.
    case failed
    /// The handler failed its last allowed attempt; the delivery is dead until replayed.
    case dead
}

/// Runs due deliveries from the ``Inbox`` through their handlers, with retries and per-handler concurrency limits.
///
/// `run()` has the `Service` shape (CONTRIBUTING.md rule 26): it loops until ``shutdown(gracePeriod:)`` is called or its
/// task is cancelled. Each loop claims the due deliveries of the handlers that have free slots and runs each as a
/// child task of one task group; a handler's own slots bound how many of its deliveries run at once, so a failing,
/// slow or stuck handler occupies only its own slots and never delays another handler's deliveries.
///
/// When idle it polls the inbox every `pollInterval` (deliveries queued again by `kyc-webhooks replay` from another
/// process are picked up that way) and ``wake()`` makes it look at once (the receive pipeline calls it after
/// recording an event, a finished delivery calls it to refill its slot).
///
/// Decisions:
/// - A delivery whose handler is no longer configured is left pending: the dispatcher only claims for the handlers
///   it has (the `slots` of ``Inbox/claimDue(now:slots:)``), so removing a handler from the configuration by mistake
///   loses nothing, and putting it back delivers what waited. Should a store hand one out anyway, it is failed with
///   ``DispatchError/unknownHandler(_:)`` and retried like any failure.
/// - At start, deliveries left `running` by a crash are made due again (``Inbox/requeueRunning(now:)``): a handler
///   may then run twice for one key, the at-least-once case docs/reference.md §7 allows.
/// - Logs carry the event key and type, the handler, the attempt and the error's type, never the payload or the
///   error's text (a command's output may quote the payload). The error's text, truncated, goes to the store as the
///   delivery's last error, which `events show` prints to the operator.
///
/// ```swift
/// let dispatcher = Dispatcher(
///     inbox: inbox,
///     handlers: [.init(name: "audit", handler: FileEventHandler(path: "data/events.jsonl"), maxConcurrency: 1)],
///     retry: RetryPolicy(maxAttempts: 8),
///     logger: logger,
///     onResult: { handler, result in metrics.countDelivery(handler: handler, result: result) }
/// )
/// try await withThrowingTaskGroup(of: Void.self) { group in
///     group.addTask { try await dispatcher.run() }
///     // ... on SIGTERM:
///     dispatcher.shutdown(gracePeriod: .seconds(10))
/// }
/// ```
public final class Dispatcher: Sendable {
    /// One handler the dispatcher runs deliveries for.
    public struct Registration: Sendable {
        /// The deliveries of one handler that may run at once when nothing says otherwise.
        public static let defaultMaxConcurrency = 4

        /// The configured handler name (the `handler` of the store's deliveries).
        public var name: String
        public var handler: any WebhookHandler
        /// How many of this handler's deliveries may run at once (at least 1).
        public var maxConcurrency: Int

        /// - Parameters:
        ///   - name: the configured handler name.
        ///   - handler: what runs the deliveries.
        ///   - maxConcurrency: how many of its deliveries may run at once, default ``defaultMaxConcurrency``.
        public init(name: String, handler: any WebhookHandler, maxConcurrency: Int = Registration.defaultMaxConcurrency)
        {
            self.name = name
            self.handler = handler
            self.maxConcurrency = maxConcurrency
        }
    }

    // MARK: Member variables

    private let inbox: any Inbox
    private let registrations: [String: Registration]
    private let configurationError: DispatchError?
    private let retry: RetryPolicy
    private let clock: any DispatchClock
    private let pollInterval: Duration
    private let logger: Logger
    private let random: @Sendable () -> Double
    private let onResult: @Sendable (_ handler: String, _ result: DeliveryResult) -> Void
    private let state = Mutex(State())

    /// Longest `lastError` kept for a delivery, in UTF-8 bytes.
    static let maxErrorBytes = 2048

    // MARK: Initialization

    /// - Parameters:
    ///   - inbox: the store the deliveries live in.
    ///   - handlers: the configured handlers; names must be unique (else `run()` throws).
    ///   - retry: backoff and attempt bound (docs/reference.md §3 `retry`).
    ///   - clock: wall-clock time for the store and sleeping for polling and draining.
    ///   - pollInterval: how often an idle dispatcher looks for due deliveries (default 0.5 s).
    ///   - logger: where lifecycle and per-delivery records go.
    ///   - random: a source of numbers in `0...1` for the backoff jitter (inject a fixed one in tests).
    ///   - onResult: called after each attempt's result is recorded in the store, with the handler name and the
    ///     result (feeds the `deliveries by handler and result` metric). Must return quickly.
    public init(
        inbox: any Inbox,
        handlers: [Registration],
        retry: RetryPolicy = RetryPolicy(),
        clock: any DispatchClock = SystemDispatchClock(),
        pollInterval: Duration = .milliseconds(500),
        logger: Logger,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) },
        onResult: @escaping @Sendable (_ handler: String, _ result: DeliveryResult) -> Void = { _, _ in }
    ) {
        var registrations: [String: Registration] = [:]
        var configurationError: DispatchError?
        for registration in handlers {
            if registrations[registration.name] != nil {
                configurationError = configurationError ?? .duplicateHandlerName(registration.name)
            } else if registration.maxConcurrency < 1 {
                configurationError = configurationError ?? .invalidConcurrency(handler: registration.name)
            }
            registrations[registration.name] = registrations[registration.name] ?? registration
        }
        self.inbox = inbox
        self.registrations = registrations
        self.configurationError = configurationError
        self.retry = retry
        self.clock = clock
        self.pollInterval = pollInterval
        self.logger = logger
        self.random = random
        self.onResult = onResult
    }

    // MARK: Lifecycle

    /// Runs deliveries until ``shutdown(gracePeriod:)`` or cancellation, then drains.
    ///
    /// First makes deliveries left running by a crash due again. On ``shutdown(gracePeriod:)`` it stops claiming,
    /// lets running deliveries finish within the grace period, then releases the ones still running (pending again,
    /// the attempt not counted, due at the next start) and cancels their handlers. Cancelling the task that runs
    /// `run()` does the same with no grace period. Returns once every handler task has returned: a custom handler
    /// should honour cancellation (the built-in ones do).
    ///
    /// - Throws: ``DispatchError`` for a second call or an invalid registration; the store's error when
    ///   ``Inbox/requeueRunning(now:)`` fails at start. Store errors while running are logged and retried.
    public func run() async throws {
        if let configurationError { throw configurationError }
        let shouldRun = try state.withLock { state -> Bool in
            switch state.lifecycle {
            case .initial:
                state.lifecycle = .running
                return true
            case .draining:
                // shutdown() came first: nothing to run.
                state.lifecycle = .finished
                return false
            case .running, .finished:
                throw DispatchError.alreadyStarted
            }
        }
        guard shouldRun else { return }
        defer { state.withLock { $0.lifecycle = .finished } }

        let requeued = try await inbox.requeueRunning(now: clock.currentDate())
        logger.info(
            "Dispatcher started",
            metadata: ["dispatch.handlers": "\(registrations.count)", "dispatch.requeued": "\(requeued)"]
        )

        await withDiscardingTaskGroup { group in
            await claimLoop(group: &group)
            await drain()
            group.cancelAll()
        }
        logger.info("Dispatcher stopped")
    }

    /// Looks for due deliveries at once (a new event was recorded, or a replay queued).
    public func wake() {
        signal()
    }

    /// Starts the drain: stop claiming, let running deliveries finish within `gracePeriod`, then release and
    /// cancel the rest. Returns at once; `run()` returns when the drain is over.
    ///
    /// - Parameter gracePeriod: how long running deliveries may take to finish.
    public func shutdown(gracePeriod: Duration) {
        state.withLock { state in
            switch state.lifecycle {
            case .initial, .running:
                state.lifecycle = .draining(gracePeriod: gracePeriod)
            case .draining, .finished:
                break
            }
        }
        signal()
    }

    // MARK: The claim loop

    private func claimLoop(group: inout DiscardingTaskGroup) async {
        while isRunning {
            await recordUnrecordedEnds()
            let slots = freeSlots()
            var claimed: [ClaimedDelivery] = []
            if !slots.isEmpty {
                do {
                    claimed = try await inbox.claimDue(now: clock.currentDate(), slots: slots)
                    if state.withLock({ $0.isClaimFailing }) {
                        state.withLock { $0.isClaimFailing = false }
                        logger.notice("Claiming due deliveries works again")
                    }
                } catch {
                    // Once per outage, not on every turn of the loop.
                    let isFirst = state.withLock { state in
                        defer { state.isClaimFailing = true }
                        return !state.isClaimFailing
                    }
                    if isFirst {
                        logger.error("Could not claim due deliveries", metadata: ["error.type": errorType(error)])
                    }
                }
            }
            guard isRunning else {
                // The drain started while claiming: give these back untouched.
                for delivery in claimed { await release(delivery, reason: "shutdown before start") }
                break
            }
            for delivery in claimed {
                guard let registration = registrations[delivery.handler] else {
                    await fail(
                        delivery,
                        metadata: metadata(for: delivery),
                        error: DispatchError.unknownHandler(delivery.handler)
                    )
                    continue
                }
                state.withLock { state in
                    state.running[delivery.handler, default: 0] += 1
                    state.inFlight[delivery.id] = delivery
                }
                group.addTask { await self.deliver(delivery, with: registration.handler) }
            }
            // Every handler with work due is now at its limit, or nothing more is due: wait for a finished
            // delivery, a wake-up, the drain, or the next poll.
            await waitForSignal(timeout: pollInterval)
        }
    }

    private var isRunning: Bool {
        guard !Task.isCancelled else { return false }
        return state.withLock { state in
            if case .running = state.lifecycle { return true }
            return false
        }
    }

    private func freeSlots() -> [String: Int] {
        state.withLock { state in
            var slots: [String: Int] = [:]
            for (name, registration) in registrations {
                let free = registration.maxConcurrency - state.running[name, default: 0]
                if free > 0 { slots[name] = free }
            }
            return slots
        }
    }

    // MARK: One delivery

    private func deliver(_ delivery: ClaimedDelivery, with handler: any WebhookHandler) async {
        var metadata = metadata(for: delivery)
        let outcome: Result<Void, any Error>
        do {
            let event = try WebhookEvent(json: delivery.eventJSON)
            metadata["webhook.event_type"] = event.type
            let context = HandlerContext(
                handlerName: delivery.handler,
                attempt: delivery.attempt,
                eventJSON: delivery.eventJSON
            )
            logger.debug("Delivery started", metadata: metadata)
            try await handler.handle(event, context: context)
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        let wasCancelled = Task.isCancelled

        // Exactly one of this task and the drain records the delivery's end: whoever takes it out of `inFlight`.
        let isOurs = state.withLock { state in state.inFlight.removeValue(forKey: delivery.id) != nil }
        guard isOurs else {
            logger.debug("Delivery returned after it was released", metadata: metadata)
            return
        }

        switch outcome {
        case .success:
            await record(.succeeded, of: delivery, metadata: metadata)
        case .failure where wasCancelled:
            await release(delivery, reason: "cancelled")
        case .failure(let error):
            await fail(delivery, metadata: metadata, error: error)
        }
        state.withLock { state in state.running[delivery.handler, default: 1] -= 1 }
        signal()
    }

    private func fail(_ delivery: ClaimedDelivery, metadata: [String: String], error: any Error) async {
        let retryAt = retry.retryAt(afterAttempt: delivery.attempt, now: clock.currentDate(), random: random())
        let end = DeliveryEnd.failed(
            error: Self.truncated(String(describing: error)),
            errorType: errorType(error),
            retryAt: retryAt
        )
        await record(end, of: delivery, metadata: metadata)
    }

    private func release(_ delivery: ClaimedDelivery, reason: String) async {
        await record(.released(reason: reason), of: delivery, metadata: metadata(for: delivery))
    }

    // MARK: Recording ends

    /// Records how `delivery` ended. When the store cannot take it (a full disk, an outage), the end is kept
    /// and recorded again on each turn of the claim loop until the store takes it, so that the delivery does
    /// not stay `running` until a restart (and its handler does not run again then). Only a crash before that
    /// leaves it running; the next start makes it due again: the at-least-once window of docs/reference.md §7.
    /// - Returns: whether the store took it.
    @discardableResult
    private func record(_ end: DeliveryEnd, of delivery: ClaimedDelivery, metadata: [String: String]) async -> Bool {
        var metadata = metadata
        let now = clock.currentDate()
        do {
            switch end {
            case .succeeded:
                try await inbox.complete(delivery.id, now: now)
            case .failed(let error, _, let retryAt):
                try await inbox.fail(delivery.id, error: error, retryAt: retryAt, now: now)
            case .released:
                try await inbox.release(delivery.id, now: now)
            }
        } catch let error as InboxError where error.code == .deliveryNotFound || error.code == .deliveryNotRunning {
            // Someone else ended it meanwhile (a restart requeued it, a prune took its event): nothing to record.
            metadata["error.type"] = errorType(error)
            logger.warning("A delivery's end was not recorded: the store no longer has it running", metadata: metadata)
            state.withLock { _ = $0.unrecorded.removeValue(forKey: delivery.id) }
            return true
        } catch {
            metadata["error.type"] = errorType(error)
            let isFirst = state.withLock { state in
                defer { state.unrecorded[delivery.id] = (delivery, end) }
                return state.unrecorded[delivery.id] == nil
            }
            if isFirst {
                logger.error(
                    "Could not record a delivery's end; retrying until the store takes it",
                    metadata: metadata
                )
            }
            return false
        }
        state.withLock { _ = $0.unrecorded.removeValue(forKey: delivery.id) }
        switch end {
        case .succeeded:
            logger.debug("Delivery succeeded", metadata: metadata)
            onResult(delivery.handler, .succeeded)
        case .failed(_, let errorType, let retryAt?):
            metadata["error.type"] = errorType
            metadata["delivery.retry_in_ms"] = "\(max(0, Int((retryAt.timeIntervalSince(now) * 1000).rounded())))"
            logger.warning("Delivery failed, will retry", metadata: metadata)
            onResult(delivery.handler, .failed)
        case .failed(_, let errorType, nil):
            metadata["error.type"] = errorType
            logger.error("Delivery failed its last attempt and is dead", metadata: metadata)
            onResult(delivery.handler, .dead)
        case .released(let reason):
            metadata["delivery.release_reason"] = reason
            logger.info("Delivery released, due again at next start", metadata: metadata)
        }
        return true
    }

    /// Records again the ends the store could not take, oldest first; stops at the first the store refuses
    /// again (it is still failing: the next turn tries again).
    private func recordUnrecordedEnds() async {
        let waiting = state.withLock { state in state.unrecorded.values.sorted { $0.delivery.id < $1.delivery.id } }
        for (delivery, end) in waiting {
            guard await record(end, of: delivery, metadata: metadata(for: delivery)) else { return }
        }
    }

    /// Ends waiting to be recorded (tests).
    var unrecordedEndCount: Int {
        state.withLock { $0.unrecorded.count }
    }

    // MARK: Draining

    private func drain() async {
        let gracePeriod = state.withLock { state -> Duration in
            if case .draining(let gracePeriod) = state.lifecycle { return gracePeriod }
            return .zero // cancelled
        }
        let deadline = clock.currentDate().addingTimeInterval(gracePeriod.inSeconds)
        logger.info(
            "Dispatcher draining",
            metadata: [
                "dispatch.running": "\(inFlightCount)",
                "dispatch.grace_ms": "\(gracePeriod.inWholeMilliseconds)",
            ]
        )
        while inFlightCount > 0, !Task.isCancelled {
            // Whole milliseconds: `Date` arithmetic leaves sub-microsecond residues that must not count.
            let remaining = Int64((deadline.timeIntervalSince(clock.currentDate()) * 1000).rounded())
            guard remaining > 0 else { break }
            await waitForSignal(timeout: .milliseconds(remaining))
        }
        // Past the deadline: whatever still runs is released (due at the next start, the attempt not counted),
        // then its handler is cancelled by the caller.
        let abandoned = state.withLock { state in
            defer { state.inFlight.removeAll() }
            return Array(state.inFlight.values)
        }
        for delivery in abandoned.sorted(by: { $0.id < $1.id }) {
            await release(delivery, reason: "drain deadline")
        }
        // A last try for the ends the store could not take; what it still refuses stays running in the store,
        // and the next start makes it due again.
        await recordUnrecordedEnds()
    }

    private var inFlightCount: Int {
        state.withLock { $0.inFlight.count }
    }

    // MARK: Waking

    /// Returns on the first of: ``signal()`` (now or since the last wait), `timeout` on the clock, cancellation.
    private func waitForSignal(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await self.clock.sleep(for: timeout) }
            group.addTask { await self.waitForWake() }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForWake() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.isWakePending || Task.isCancelled {
                        state.isWakePending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }

    private func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.isWakePending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    // MARK: Helpers

    private func metadata(for delivery: ClaimedDelivery) -> [String: String] {
        [
            "webhook.event_key": delivery.eventKey,
            "delivery.handler": delivery.handler,
            "delivery.attempt": "\(delivery.attempt)",
            "delivery.id": "\(delivery.id)",
        ]
    }

    private func errorType(_ error: any Error) -> String {
        String(describing: type(of: error))
    }

    /// `text` cut to at most ``maxErrorBytes`` UTF-8 bytes on a character boundary, marked when cut.
    static func truncated(_ text: String) -> String {
        guard text.utf8.count > maxErrorBytes else { return text }
        let marker = " …(truncated)"
        var result = ""
        var used = 0
        for character in text {
            let size = character.utf8.count
            if used + size > maxErrorBytes - marker.utf8.count { break }
            result.append(character)
            used += size
        }
        return result + marker
    }
}

// MARK: - State

extension Dispatcher {
    /// How a claimed delivery ended, to be recorded in the store.
    fileprivate enum DeliveryEnd: Sendable {
        /// The handler succeeded.
        case succeeded
        /// The handler failed: pending again at `retryAt`, or dead when nil; `error` is the truncated text.
        case failed(error: String, errorType: String, retryAt: Date?)
        /// Not run to its end (shutdown, cancellation): pending again without counting the attempt.
        case released(reason: String)
    }

    fileprivate enum Lifecycle {
        case initial
        case running
        case draining(gracePeriod: Duration)
        case finished
    }

    fileprivate struct State {
        var lifecycle = Lifecycle.initial
        /// Running deliveries per handler name.
        var running: [String: Int] = [:]
        /// Claimed deliveries whose end is not recorded yet, by id.
        var inFlight: [Delivery.ID: ClaimedDelivery] = [:]
        /// Deliveries whose handler has ended but whose end the store could not take yet, by id, in the order
        /// they ended: recorded again on every turn of the claim loop until the store takes them.
        var unrecorded: [Delivery.ID: (delivery: ClaimedDelivery, end: DeliveryEnd)] = [:]
        /// The last claim failed (logged once until one succeeds).
        var isClaimFailing = false
        /// A ``Dispatcher/signal()`` arrived while nobody waited.
        var isWakePending = false
        /// The claim loop, waiting for a signal.
        var waiter: CheckedContinuation<Void, Never>?
    }
}
