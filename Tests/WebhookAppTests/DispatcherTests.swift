import Foundation
import Synchronization
import Testing
import WebhookApp
import WebhookCore
import WebhookStore
import WebhookTesting

@Suite struct DispatcherTests {
    // MARK: Retries

    /// A failing delivery is retried at `now + delay` (exact, with fixed jitter), not before; the delays grow
    /// and are capped; after `maxAttempts` attempts in all it is dead; a replay runs it again.
    @Test func retriesWithGrowingCappedBackoffThenDeadThenReplay() async throws {
        let randoms = Mutex([0.0, 1.0, 0.5, 0.25, 0.75])
        let shouldFail = Atomic<Bool>(true)
        let clock = ManualClock()
        let callTimes = Mutex<[Date]>([])
        let handler = RecordingHandler { _, _ in
            callTimes.withLock { $0.append(clock.currentDate()) }
            if shouldFail.load(ordering: .relaxed) { throw TestFailure() }
        }
        let retry = RetryPolicy(maxAttempts: 5, initialDelay: .seconds(2), maxDelay: .seconds(10))
        let harness = DispatchHarness(
            handlers: [.init(name: "crm", handler: handler)],
            retry: retry,
            clock: clock,
            random: { randoms.withLock { $0.isEmpty ? 0.5 : $0.removeFirst() } }
        )
        try await harness.start()
        let event = TestEvents.event()
        try await harness.record(event, handlers: ["crm"])

        let expectedDelays: [Double] = [1, 4, 6, 6.25] // bases 2, 4, 8, 10 (capped) with jitter 0, 1, 0.5, 0.25
        for (index, expected) in expectedDelays.enumerated() {
            try await harness.results.wait(for: "crm", .failed, count: index + 1)
            let delivery = try await TestEvents.delivery(event.key, handler: "crm", in: harness.inbox)
            #expect(delivery.state == .pending)
            #expect(delivery.attempts == index + 1)
            #expect(delivery.lastError == "test failure")
            let retryAt = try #require(delivery.nextAttemptAt)
            #expect(abs(retryAt.timeIntervalSince(delivery.updatedAt) - expected) < 0.002)
            try await harness.pump { handler.calls.count > index + 1 }
            let nextCall = try #require(callTimes.withLock { $0.last })
            #expect(nextCall >= retryAt.addingTimeInterval(-0.001), "retried before its backoff time")
        }

        try await harness.results.wait(for: "crm", .dead)
        var delivery = try await TestEvents.delivery(event.key, handler: "crm", in: harness.inbox)
        #expect(delivery.state == .dead)
        #expect(delivery.attempts == 5)
        #expect(handler.calls.map(\.attempt) == [1, 2, 3, 4, 5])

        // Dead stays dead, however long we wait.
        try await harness.advance(by: .seconds(3600))
        #expect(handler.calls.count == 5)

        // Replay: picked up by the next poll, without a wake-up (as from the CLI in another process).
        shouldFail.store(false, ordering: .relaxed)
        #expect(try await harness.inbox.replay(key: event.key, handler: nil, now: clock.currentDate()) == 1)
        try await harness.pump { harness.results.count("crm", .succeeded) == 1 }
        delivery = try await TestEvents.delivery(event.key, handler: "crm", in: harness.inbox)
        #expect(delivery.state == .done)
        #expect(handler.calls.count == 6)
        #expect(handler.calls.last?.attempt == 1)
        try await harness.stop()
    }

    /// The handler gets the event rebuilt from the stored JSON, and the context's name, attempt and JSON.
    @Test func handlerReceivesTheStoredEventAndContext() async throws {
        let handler = RecordingHandler()
        let harness = DispatchHarness(handlers: [.init(name: "audit", handler: handler)])
        try await harness.start()
        let event = TestEvents.event()
        try await harness.record(event, handlers: ["audit"])
        try await harness.results.wait(for: "audit", .succeeded)
        let call = try #require(handler.calls.first)
        #expect(call.eventKey == event.key)
        #expect(call.eventType == event.type)
        #expect(call.handlerName == "audit")
        #expect(call.attempt == 1)
        #expect(call.eventJSON == event.jsonBytes())
        try await harness.stop()
    }

    // MARK: Waking and polling

    /// `wake()` makes an idle dispatcher look at once: the clock never moves.
    @Test func wakePicksUpANewEventWithoutWaitingForThePoll() async throws {
        let handler = RecordingHandler()
        let harness = DispatchHarness(handlers: [.init(name: "audit", handler: handler)])
        try await harness.start()
        let before = harness.clock.currentDate()
        try await harness.record(TestEvents.event(), handlers: ["audit"])
        try await harness.results.wait(for: "audit", .succeeded)
        #expect(harness.clock.currentDate() == before)
        try await harness.stop()
    }

    /// Without a wake-up (a replay written by another process), the next poll finds the delivery.
    @Test func pollFindsDeliveriesQueuedWithoutAWakeUp() async throws {
        let handler = RecordingHandler()
        let harness = DispatchHarness(handlers: [.init(name: "audit", handler: handler)])
        try await harness.start()
        try await TestEvents.record(TestEvents.event(), handlers: ["audit"], in: harness.inbox)
        try await harness.settle()
        #expect(handler.calls.isEmpty)
        harness.clock.advance(by: DispatchHarness.pollInterval)
        try await harness.results.wait(for: "audit", .succeeded)
        #expect(handler.calls.count == 1)
        try await harness.stop()
    }

    // MARK: Isolation and limits

    /// A hanging handler and a failing handler do not delay another handler's delivery of the same event.
    @Test func failingAndHangingHandlersDoNotHoldUpAnother() async throws {
        let hanging = RecordingHandler { _, _ in try await Task.sleep(for: .seconds(60)) }
        let failing = RecordingHandler { _, _ in throw TestFailure() }
        let healthy = RecordingHandler()
        let harness = DispatchHarness(handlers: [
            .init(name: "hanging", handler: hanging, maxConcurrency: 1),
            .init(name: "failing", handler: failing, maxConcurrency: 1),
            .init(name: "healthy", handler: healthy, maxConcurrency: 1),
        ])
        try await harness.start()
        for index in 0..<3 {
            try await harness.record(
                TestEvents.event(key: "kyc.validation_approved:subject-\(index)"),
                handlers: ["hanging", "failing", "healthy"]
            )
        }
        // Without any clock movement: the healthy handler gets all three, though "hanging" is stuck on the
        // first event and "failing" waits for its backoff.
        try await harness.results.wait(for: "healthy", .succeeded, count: 3)
        #expect(hanging.calls.count == 1)
        #expect(hanging.runningCount == 1)
        #expect(harness.results.count("failing", .failed) == 3)
        try await harness.stop()
        #expect(hanging.runningCount == 0)
    }

    /// A handler with a limit of 2 never runs more than 2 deliveries at once; other handlers are not limited by it.
    @Test func perHandlerConcurrencyLimitIsRespected() async throws {
        let gate = Gate()
        let limited = RecordingHandler { _, _ in await gate.wait() }
        let other = RecordingHandler()
        let harness = DispatchHarness(handlers: [
            .init(name: "limited", handler: limited, maxConcurrency: 2),
            .init(name: "other", handler: other, maxConcurrency: 8),
        ])
        try await harness.start()
        for index in 0..<10 {
            try await harness.record(
                TestEvents.event(key: "kyc.validation_approved:subject-\(index)"),
                handlers: ["limited", "other"]
            )
        }
        try await harness.results.wait(for: "other", .succeeded, count: 10)
        try await withTimeout(seconds: 15) { await limited.waitForCalls(count: 2) }
        // Give the loop every chance to over-claim: several polls while both slots are held.
        for _ in 0..<3 { try await harness.advance(by: DispatchHarness.pollInterval) }
        #expect(limited.calls.count == 2)
        #expect(limited.runningCount == 2)

        gate.open()
        try await harness.results.wait(for: "limited", .succeeded, count: 10)
        #expect(limited.maxConcurrentCalls == 2)
        #expect(other.maxConcurrentCalls <= 8)
        try await harness.stop()
    }

    /// Across many events, each matched handler runs exactly once per event.
    @Test func eachMatchedHandlerRunsOncePerEvent() async throws {
        let handlers = (0..<3).map { _ in RecordingHandler { _, _ in await Task.yield() } }
        let names = ["a", "b", "c"]
        let harness = DispatchHarness(
            handlers: zip(names, handlers).map { .init(name: $0, handler: $1, maxConcurrency: 3) }
        )
        try await harness.start()
        let count = 60
        for index in 0..<count {
            // Handler "c" is matched by even events only.
            let matched = index.isMultiple(of: 2) ? names : ["a", "b"]
            try await harness.record(TestEvents.event(key: "kyc.validation_approved:s-\(index)"), handlers: matched)
        }
        try await harness.results.wait(total: count * 2 + count / 2)
        // More polls: nothing runs again.
        for _ in 0..<4 { try await harness.advance(by: DispatchHarness.pollInterval) }
        #expect(harness.results.entries.count == count * 2 + count / 2)
        for (name, handler) in zip(names, handlers) {
            let keys = handler.calls.map(\.eventKey)
            let expected = name == "c" ? count / 2 : count
            #expect(keys.count == expected, "\(name) ran \(keys.count) times")
            #expect(Set(keys).count == expected, "\(name) ran an event twice")
        }
        try await harness.stop()
    }

    /// A delivery for a handler that is no longer configured stays pending, untouched.
    @Test func deliveryForAnUnconfiguredHandlerStaysPending() async throws {
        let handler = RecordingHandler()
        let harness = DispatchHarness(handlers: [.init(name: "audit", handler: handler)])
        try await harness.start()
        let event = TestEvents.event()
        try await harness.record(event, handlers: ["audit", "removed"])
        try await harness.results.wait(for: "audit", .succeeded)
        for _ in 0..<3 { try await harness.advance(by: .seconds(60)) }
        let delivery = try await TestEvents.delivery(event.key, handler: "removed", in: harness.inbox)
        #expect(delivery.state == .pending)
        #expect(delivery.attempts == 0)
        try await harness.stop()
    }

    // MARK: Start and drain

    /// At start, deliveries left running by a crash are due again and run.
    @Test func startRequeuesDeliveriesLeftRunning() async throws {
        let inbox = MemoryInbox()
        let clock = ManualClock()
        let event = TestEvents.event()
        try await TestEvents.record(event, handlers: ["audit"], in: inbox)
        // A previous process claimed it and died.
        let claimed = try await inbox.claimDue(now: clock.currentDate(), slots: ["audit": 1])
        #expect(claimed.count == 1)

        let handler = RecordingHandler()
        let harness = DispatchHarness(handlers: [.init(name: "audit", handler: handler)], inbox: inbox, clock: clock)
        let dispatcher = harness.dispatcher
        let task = Task { try await dispatcher.run() }
        try await harness.results.wait(for: "audit", .succeeded)
        #expect(handler.calls.map(\.attempt) == [2])
        #expect(try await TestEvents.delivery(event.key, handler: "audit", in: inbox).state == .done)
        dispatcher.shutdown(gracePeriod: .zero)
        try await withTimeout(seconds: 15) { try await task.value }
    }

    /// A delivery that finishes within the grace period is completed; one still running at the deadline is
    /// released (pending, the attempt not counted) and its handler cancelled; `run()` then returns.
    @Test func drainCompletesQuickDeliveriesAndReleasesOverdueOnes() async throws {
        let gate = Gate()
        let quick = RecordingHandler { _, _ in await gate.wait() }
        let stuck = RecordingHandler { _, _ in try await Task.sleep(for: .seconds(60)) }
        let harness = DispatchHarness(handlers: [
            .init(name: "quick", handler: quick),
            .init(name: "stuck", handler: stuck),
        ])
        try await harness.start()
        let event = TestEvents.event()
        try await harness.record(event, handlers: ["quick", "stuck"])
        try await withTimeout(seconds: 15) { await quick.waitForCalls(count: 1) }
        try await withTimeout(seconds: 15) { await stuck.waitForCalls(count: 1) }

        harness.dispatcher.shutdown(gracePeriod: .seconds(10))
        try await harness.waitForLog("Dispatcher draining")
        gate.open()
        try await harness.results.wait(for: "quick", .succeeded)
        // The drain waits on the clock for the stuck one; nothing is released before the deadline.
        try await harness.settle()
        #expect(try await TestEvents.delivery(event.key, handler: "stuck", in: harness.inbox).state == .running)
        harness.clock.advance(by: .seconds(10))
        try await harness.waitForRunToReturn()

        let released = try await TestEvents.delivery(event.key, handler: "stuck", in: harness.inbox)
        #expect(released.state == .pending)
        #expect(released.attempts == 0)
        #expect(released.lastError == nil)
        #expect(try await TestEvents.delivery(event.key, handler: "quick", in: harness.inbox).state == .done)
        #expect(stuck.runningCount == 0, "the stuck handler was not cancelled")
        #expect(harness.results.count("stuck", .failed) == 0)

        // The next start runs the released delivery as a first attempt again.
        let again = RecordingHandler()
        let next = DispatchHarness(
            handlers: [.init(name: "quick", handler: RecordingHandler()), .init(name: "stuck", handler: again)],
            inbox: harness.inbox,
            clock: harness.clock
        )
        try await next.start()
        try await next.results.wait(for: "stuck", .succeeded)
        #expect(again.calls.map(\.attempt) == [1])
        try await next.stop()
    }

    /// Cancelling the task running `run()` releases running deliveries at once.
    @Test func cancellingRunReleasesRunningDeliveries() async throws {
        let stuck = RecordingHandler { _, _ in try await Task.sleep(for: .seconds(60)) }
        let harness = DispatchHarness(handlers: [.init(name: "stuck", handler: stuck)])
        let dispatcher = harness.dispatcher
        let task = Task { try await dispatcher.run() }
        let event = TestEvents.event()
        try await harness.record(event, handlers: ["stuck"])
        try await withTimeout(seconds: 15) { await stuck.waitForCalls(count: 1) }
        task.cancel()
        try await withTimeout(seconds: 15) { try await task.value }
        let delivery = try await TestEvents.delivery(event.key, handler: "stuck", in: harness.inbox)
        #expect(delivery.state == .pending)
        #expect(delivery.attempts == 0)
    }

    /// `shutdown` before `run` makes `run` return at once; a second `run` is refused.
    @Test func lifecycleMisuse() async throws {
        let harness = DispatchHarness(handlers: [.init(name: "audit", handler: RecordingHandler())])
        harness.dispatcher.shutdown(gracePeriod: .seconds(1))
        try await withTimeout(seconds: 15) { try await harness.dispatcher.run() }
        await #expect(throws: DispatchError.alreadyStarted) { try await harness.dispatcher.run() }

        let duplicate = DispatchHarness(handlers: [
            .init(name: "audit", handler: RecordingHandler()), .init(name: "audit", handler: RecordingHandler()),
        ])
        await #expect(throws: DispatchError.duplicateHandlerName("audit")) { try await duplicate.dispatcher.run() }
    }

    // MARK: Logging

    /// Dispatcher logs name the key, type, handler, attempt and error type, never the payload, the external id
    /// or the error's text.
    @Test func logsCarryNoPayloadOrErrorText() async throws {
        struct LeakyError: Error, CustomStringConvertible {
            var description: String { "failed for \(TestEvents.payloadMarker)" }
        }
        let handler = RecordingHandler { _, _ in throw LeakyError() }
        let harness = DispatchHarness(
            handlers: [.init(name: "crm", handler: handler)],
            retry: RetryPolicy(maxAttempts: 2, initialDelay: .seconds(1), maxDelay: .seconds(1))
        )
        try await harness.start()
        let event = TestEvents.event()
        try await harness.record(event, handlers: ["crm"])
        try await harness.pump { harness.results.count("crm", .dead) == 1 }
        try await harness.stop()

        let lines = harness.log.renderedLines
        #expect(
            lines.contains { $0.contains("webhook.event_key=\(event.key)") && $0.contains("error.type=LeakyError") }
        )
        #expect(lines.contains { $0.contains("webhook.event_type=kyc.validation_approved") })
        for line in lines {
            #expect(!line.contains(TestEvents.payloadMarker))
            #expect(!line.contains(TestEvents.externalIdMarker))
        }
        // The error's text does reach the store for the operator.
        let delivery = try await TestEvents.delivery(event.key, handler: "crm", in: harness.inbox)
        #expect(delivery.lastError?.contains("failed for") == true)
    }
}
