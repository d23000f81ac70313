import Foundation
import Synchronization
import Testing
import WebhookStore
import WebhookTesting

/// The test kit's unsafe inbox (the crash test's negative control): acknowledged at once, stored late.
@Suite struct AcknowledgeBeforeCommitInboxTests {
    @Test func acknowledgesAtOnceAndCommitsLate() async throws {
        let inner = MemoryInbox()
        let inbox = AcknowledgeBeforeCommitInbox(wrapping: inner, delay: .milliseconds(300))
        let outcomes = Mutex<[RecordOutcome]>([])
        for _ in 0..<2 {
            inbox.record(Records.record(key: "k", handlers: ["audit"])) { result in
                if case .success(let outcome) = result { outcomes.withLock { $0.append(outcome) } }
            }
        }
        // Both answered `accepted` before anything is stored, the second one too (a duplicate in truth).
        #expect(outcomes.withLock { $0 } == [.accepted, .accepted])
        #expect(try await inner.event(key: "k") == nil)
        #expect(try await inbox.event(key: "k") == nil)

        let deadline = ContinuousClock.now + .seconds(10)
        while try await inner.event(key: "k") == nil, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        // Stored once, late; everything else goes straight to the wrapped inbox.
        #expect(try await inbox.event(key: "k")?.deliveries.count == 1)
        #expect(try await inbox.listEvents(EventQuery()).map(\.key) == ["k"])
        let claimed = try await inbox.claimDue(now: TestTime.at(1), slots: ["audit": 1])
        try await inbox.complete(try #require(claimed.first).id, now: TestTime.at(2))
        #expect(try await inner.event(key: "k")?.deliveries.first?.state == .done)
        inbox.close()
        await #expect(throws: InboxError.self) { try await inner.ping() }
    }
}
