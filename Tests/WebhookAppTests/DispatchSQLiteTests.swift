import Foundation
import Testing
import WebhookApp
import WebhookCore
import WebhookStore
import WebhookTesting

/// The dispatcher on the durable store, across a restart.
@Suite struct DispatchSQLiteTests {
    /// Retries and success on SQLite; at shutdown a delivery still running past the deadline is released; a
    /// delivery claimed by a process that then died stays running; after reopening the file, the next dispatcher
    /// runs both: the released one as a first attempt, the crashed one as its second.
    @Test func releasedAndCrashedDeliveriesRunAfterARestart() async throws {
        let directory = try HandlerTemporaryDirectory()
        let path = directory.file("data/inbox.sqlite3")
        let clock = ManualClock()
        let event = TestEvents.event()

        do {
            let inbox = try SQLiteInbox(path: path)
            defer { inbox.close() }
            let flaky = RecordingHandler { _, context in if context.attempt < 2 { throw TestFailure() } }
            let stuck = RecordingHandler { _, _ in try await Task.sleep(for: .seconds(60)) }
            let harness = DispatchHarness(
                handlers: [.init(name: "flaky", handler: flaky), .init(name: "stuck", handler: stuck)],
                inbox: inbox,
                clock: clock
            )
            try await harness.start()
            try await harness.record(event, handlers: ["flaky", "stuck", "crashed"])
            try await harness.pump { harness.results.count("flaky", .succeeded) == 1 }
            #expect(harness.results.count("flaky", .failed) == 1)
            #expect(try await TestEvents.delivery(event.key, handler: "flaky", in: inbox).state == .done)

            // "crashed" is not this dispatcher's: another process claims it and dies.
            let claimed = try await inbox.claimDue(now: clock.currentDate(), slots: ["crashed": 1])
            #expect(claimed.map(\.handler) == ["crashed"])

            try await harness.stop(gracePeriod: .zero)
            let released = try await TestEvents.delivery(event.key, handler: "stuck", in: inbox)
            #expect(released.state == .pending)
            #expect(released.attempts == 0)
        }

        let inbox = try SQLiteInbox(path: path)
        defer { inbox.close() }
        #expect(try await TestEvents.delivery(event.key, handler: "crashed", in: inbox).state == .running)
        let stuck = RecordingHandler()
        let crashed = RecordingHandler()
        let harness = DispatchHarness(
            handlers: [.init(name: "stuck", handler: stuck), .init(name: "crashed", handler: crashed)],
            inbox: inbox,
            clock: clock
        )
        try await harness.start()
        try await harness.results.wait(total: 2)
        #expect(stuck.calls.map(\.attempt) == [1])
        #expect(crashed.calls.map(\.attempt) == [2])
        for handler in ["flaky", "stuck", "crashed"] {
            #expect(try await TestEvents.delivery(event.key, handler: handler, in: inbox).state == .done)
        }
        try await harness.stop()
    }
}
