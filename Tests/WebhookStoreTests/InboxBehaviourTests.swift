import Foundation
import Synchronization
import Testing
import WebhookCore

@testable import WebhookStore

/// The `Inbox` contract, run against every implementation.
@Suite struct InboxBehaviourTests {
    // MARK: Recording

    @Test("record is accepted once, then duplicate", arguments: InboxKind.allCases)
    func recordAcceptedThenDuplicate(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        let inbox = subject.inbox
        #expect(try await inbox.record(Records.record(key: "k1")) == .accepted)
        #expect(try await inbox.record(Records.record(key: "k1")) == .duplicate)
        #expect(try await inbox.record(Records.record(key: "k2")) == .accepted)
        let deliveries = try await inbox.deliveries(of: "k1")
        #expect(deliveries.keys.sorted() == ["audit", "crm"])
        #expect(deliveries.values.allSatisfy { $0.state == .pending && $0.attempts == 0 })
    }

    @Test("20 concurrent records of one key: one accepted, 19 duplicates", arguments: InboxKind.allCases)
    func concurrentRecordsOfOneKey(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        let inbox = subject.inbox
        let outcomes = try await withThrowingTaskGroup(of: RecordOutcome.self) { group in
            for _ in 0..<20 {
                group.addTask { try await inbox.record(Records.record(key: "same")) }
            }
            var outcomes: [RecordOutcome] = []
            for try await outcome in group {
                outcomes.append(outcome)
            }
            return outcomes
        }
        #expect(outcomes.filter { $0 == .accepted }.count == 1)
        #expect(outcomes.filter { $0 == .duplicate }.count == 19)
        let detail = try #require(try await inbox.event(key: "same"))
        #expect(detail.deliveries.map(\.handler).sorted() == ["audit", "crm"])
    }

    // MARK: Subject order (docs/reference.md §5 "Order")

    /// The stale flag of each claimed delivery's event JSON, by event key, and which handlers got one.
    static func claimed(
        _ inbox: any Inbox
    ) async throws -> [(key: String, handler: String, stale: Bool, json: [UInt8])] {
        let claimed = try await inbox.claimDue(now: TestTime.at(3600), slots: ["all": 100, "fresh": 100])
        return try claimed.map { delivery in
            let event = try WebhookEvent(json: delivery.eventJSON)
            return (delivery.eventKey, delivery.handler, event.stale, delivery.eventJSON)
        }
    }

    @Test(
        "a late in_progress after approved is recorded stale, without the stale: false handler",
        arguments: InboxKind.allCases
    )
    func lateEventIsStale(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        let approved = Records.ordered(outcome: .approved, occurredAt: "2025-01-07T11:00:00Z")
        let late = Records.ordered(outcome: .inProgress, occurredAt: "2025-01-07T10:00:00Z", receivedAt: 1)
        #expect(try await subject.inbox.record(approved) == .accepted)
        #expect(try await subject.inbox.record(late) == .accepted)
        let deliveries = try await Self.claimed(subject.inbox)
        let lateDeliveries = deliveries.filter { $0.key == late.event.key }
        #expect(lateDeliveries.map(\.handler) == ["all"])
        #expect(lateDeliveries.allSatisfy { $0.stale })
        let approvedDeliveries = deliveries.filter { $0.key == approved.event.key }
        #expect(approvedDeliveries.map(\.handler).sorted() == ["all", "fresh"])
        #expect(approvedDeliveries.allSatisfy { !$0.stale })
        // The stored JSON is the receiver's with only the flag changed, and still one valid line.
        let lateJSON = try #require(lateDeliveries.first?.json)
        let expected = String(decoding: late.eventJSON, as: UTF8.self)
            .replacingOccurrences(of: #""stale":false"#, with: #""stale":true "#)
        #expect(String(decoding: lateJSON, as: UTF8.self) == expected)
        #expect(try await subject.inbox.subjectTimeline("val-1").map(\.stale) == [true, false])
    }

    @Test("in order, in_progress then approved: neither is stale", arguments: InboxKind.allCases)
    func inOrderEventsAreNotStale(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        _ = try await subject.inbox.record(Records.ordered(outcome: .inProgress, occurredAt: "2025-01-07T10:00:00Z"))
        _ = try await subject.inbox.record(Records.ordered(outcome: .approved, occurredAt: "2025-01-07T11:00:00Z"))
        let deliveries = try await Self.claimed(subject.inbox)
        #expect(deliveries.count == 4)
        #expect(deliveries.allSatisfy { !$0.stale })
        let timeline = try await subject.inbox.subjectTimeline("val-1")
        #expect(timeline.map(\.outcome) == ["in_progress", "approved"])
        #expect(timeline.map(\.stale) == [false, false])
    }

    /// Times compare as instants: `11:00:00Z` is earlier than `11:00:00.500Z`, though it sorts after it as text.
    @Test("times compare as instants, with and without fractional seconds", arguments: InboxKind.allCases)
    func fractionalSecondsCompareAsInstants(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        let later = Records.ordered(outcome: .approved, occurredAt: "2025-01-07T11:00:00.500Z")
        let earlier = Records.ordered(outcome: .inProgress, occurredAt: "2025-01-07T11:00:00Z")
        let same = Records.ordered(outcome: .inReview, occurredAt: "2025-01-07T11:00:00.5Z")
        _ = try await subject.inbox.record(later)
        _ = try await subject.inbox.record(earlier)
        _ = try await subject.inbox.record(same)
        let timeline = try await subject.inbox.subjectTimeline("val-1")
        #expect(timeline.map(\.key) == [earlier.event.key, later.event.key, same.event.key])
        // Only a strictly later time makes an event stale.
        #expect(timeline.map(\.stale) == [true, false, false])

        let reverse = try await InboxUnderTest(kind)
        _ = try await reverse.inbox.record(earlier)
        _ = try await reverse.inbox.record(later)
        #expect(try await reverse.inbox.subjectTimeline("val-1").map(\.stale) == [false, false])
    }

    @Test("events without occurredAt, of another source or subject, are never compared", arguments: InboxKind.allCases)
    func staleIsPerSourceAndSubjectAndNeedsATime(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        let inbox = subject.inbox
        _ = try await inbox.record(Records.ordered(outcome: .approved, occurredAt: "2025-01-07T11:00:00Z"))
        let untimed = Records.ordered(outcome: .created, occurredAt: nil, receivedAt: 1)
        let otherSource = Records.ordered(outcome: .created, occurredAt: "2025-01-07T09:00:00Z", source: "argos")
        let otherSubject = Records.ordered(outcome: .created, occurredAt: "2025-01-07T09:00:00Z", subject: "val-2")
        for record in [untimed, otherSource, otherSubject] {
            #expect(try await inbox.record(record) == .accepted)
        }
        // An untimed event does not move the subject's latest time either.
        let afterUntimed = Records.ordered(outcome: .inReview, occurredAt: "2025-01-07T12:00:00Z", receivedAt: 2)
        _ = try await inbox.record(afterUntimed)
        let timeline = try await inbox.subjectTimeline("val-1")
        #expect(timeline.map(\.outcome) == ["created", "approved", "in_review", "created"])
        #expect(timeline.map(\.source) == ["argos", "gu1.kyc", "gu1.kyc", "gu1.kyc"])
        #expect(
            timeline.map(\.occurredAt) == ["2025-01-07T09:00:00Z", "2025-01-07T11:00:00Z", "2025-01-07T12:00:00Z", nil]
        )
        #expect(timeline.allSatisfy { !$0.stale })
        #expect(try await inbox.subjectTimeline("val-2").map(\.stale) == [false])
        #expect(try await inbox.subjectTimeline("nobody").isEmpty)
    }

    /// 5 events of one subject, each sent 4 times at once (20 records): each key is accepted once, and an event
    /// is stale exactly when an event with a later time was recorded before it.
    @Test("20 concurrent copies in mixed order: stale exactly after a later event", arguments: InboxKind.allCases)
    func concurrentCopiesInMixedOrder(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        try await Self.checkConcurrentCopiesInMixedOrder(through: [subject.inbox])
    }

    /// The body of ``concurrentCopiesInMixedOrder(kind:)``, with the copies spread over `inboxes` (several
    /// receivers of one postgres database: ``PostgresInboxTests``); read back through the first.
    static func checkConcurrentCopiesInMixedOrder(through inboxes: [any Inbox]) async throws {
        let inbox = inboxes[0]
        let outcomes: [Outcome] = [.created, .inProgress, .inReview, .approved, .rejected]
        let records = outcomes.enumerated().map { index, outcome in
            Records.ordered(outcome: outcome, occurredAt: "2025-01-07T11:00:0\(index).\(index)00Z")
        }
        let copies = (0..<4).flatMap { _ in records }.shuffled()
        let results = try await withThrowingTaskGroup(of: (String, RecordOutcome).self) { group in
            for (index, record) in copies.enumerated() {
                let through = inboxes[index % inboxes.count]
                group.addTask { (record.event.key, try await through.record(record)) }
            }
            var results: [(String, RecordOutcome)] = []
            for try await result in group { results.append(result) }
            return results
        }
        for record in records {
            let mine = results.filter { $0.0 == record.event.key }.map(\.1)
            #expect(mine.filter { $0 == .accepted }.count == 1)
            #expect(mine.filter { $0 == .duplicate }.count == 3)
        }
        // The order they were recorded in: listEvents is newest first, ties (one receivedAt) by recording.
        let recordedKeys = try await inbox.listEvents(EventQuery(status: "accepted", limit: 100)).map(\.key).reversed()
        let time = Dictionary(uniqueKeysWithValues: records.map { ($0.event.key, $0.event.occurredAt ?? "") })
        let timeline = try await inbox.subjectTimeline("val-1")
        #expect(timeline.map(\.key) == records.map(\.event.key))
        let stale = Dictionary(uniqueKeysWithValues: timeline.map { ($0.key, $0.stale) })
        var latest = ""
        for key in recordedKeys {
            let instant = try #require(time[key])
            #expect(stale[key] == (instant < latest), "\(key) recorded after \(latest)")
            latest = max(latest, instant)
        }
        #expect(stale[records[4].event.key] == false)
        // Deliveries follow the verdict: the stale: false handler only for events that are not stale.
        let fresh = try await Self.claimed(inbox).filter { $0.handler == "fresh" }
        #expect(Set(fresh.map(\.key)) == Set(stale.filter { !$0.value }.map(\.key)))
    }

    @Test("a handler named twice gets one delivery", arguments: InboxKind.allCases)
    func repeatedHandlerGetsOneDelivery(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        _ = try await subject.inbox.record(Records.record(key: "k", handlers: ["audit", "audit"]))
        let detail = try #require(try await subject.inbox.event(key: "k"))
        #expect(detail.deliveries.map(\.handler) == ["audit"])
    }

    @Test("an event without handlers is recorded and done", arguments: InboxKind.allCases)
    func eventWithoutHandlers(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        #expect(try await subject.inbox.record(Records.record(key: "k", handlers: [])) == .accepted)
        let detail = try #require(try await subject.inbox.event(key: "k"))
        #expect(detail.deliveries.isEmpty)
        #expect(detail.summary.status == "done")
        #expect(detail.subjectId == "val-1")
        #expect(detail.deliveryId == "msg-1")
    }

    // MARK: Claiming

    @Test("claimDue respects due time, slots per handler, oldest first", arguments: InboxKind.allCases)
    func claimRespectsDueTimeAndSlots(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        let inbox = subject.inbox
        for index in 0..<3 {
            _ = try await inbox.record(Records.record(key: "k\(index)", receivedAt: Double(index * 10)))
        }
        // Before the first event was received nothing is due.
        #expect(try await inbox.claimDue(now: TestTime.at(-1), slots: ["audit": 5, "crm": 5]).isEmpty)
        // At +15 s two events are due; audit may take one, crm none, an unknown handler is ignored.
        let first = try await inbox.claimDue(now: TestTime.at(15), slots: ["audit": 1, "crm": 0, "other": 3])
        #expect(first.map(\.eventKey) == ["k0"])
        #expect(first.map(\.handler) == ["audit"])
        #expect(first[0].attempt == 1)
        #expect(first[0].eventJSON == Records.record(key: "k0").eventJSON)
        // Claimed deliveries are running: not claimed twice.
        let second = try await inbox.claimDue(now: TestTime.at(100), slots: ["audit": 10, "crm": 2])
        #expect(second.filter { $0.handler == "audit" }.map(\.eventKey) == ["k1", "k2"])
        #expect(second.filter { $0.handler == "crm" }.map(\.eventKey) == ["k0", "k1"])
        #expect(try await inbox.deliveries(of: "k0")["audit"]?.state == .running)
        #expect(try await inbox.claimDue(now: TestTime.at(100), slots: ["audit": 10]).isEmpty)
    }

    @Test("complete marks the delivery done", arguments: InboxKind.allCases)
    func completeMarksDone(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        let inbox = subject.inbox
        _ = try await inbox.record(Records.record(key: "k", handlers: ["audit"]))
        let claimed = try await inbox.claimDue(now: TestTime.at(1), slots: ["audit": 1])
        try await inbox.complete(try #require(claimed.first).id, now: TestTime.at(2))
        let delivery = try #require(try await inbox.deliveries(of: "k")["audit"])
        #expect(delivery.state == .done)
        #expect(delivery.attempts == 1)
        #expect(delivery.nextAttemptAt == nil)
        #expect(delivery.updatedAt == TestTime.at(2))
        #expect(try await inbox.claimDue(now: TestTime.at(1000), slots: ["audit": 1]).isEmpty)
    }

    @Test("fail with retryAt is pending again at that time, then dead without", arguments: InboxKind.allCases)
    func failRetriesThenDies(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        let inbox = subject.inbox
        _ = try await inbox.record(Records.record(key: "k", handlers: ["audit"]))
        let first = try #require(try await inbox.claimDue(now: TestTime.at(1), slots: ["audit": 1]).first)
        try await inbox.fail(
            first.id,
            error: "exit status 3",
            retryAt: TestTime.at(60),
            now: TestTime.at(2)
        )
        var delivery = try #require(try await inbox.deliveries(of: "k")["audit"])
        #expect(delivery.state == .pending)
        #expect(delivery.nextAttemptAt == TestTime.at(60))
        #expect(delivery.lastError == "exit status 3")
        #expect(try await inbox.claimDue(now: TestTime.at(59), slots: ["audit": 1]).isEmpty)
        let second = try #require(try await inbox.claimDue(now: TestTime.at(60), slots: ["audit": 1]).first)
        #expect(second.id == first.id)
        #expect(second.attempt == 2)
        try await inbox.fail(second.id, error: "exit status 4", retryAt: nil, now: TestTime.at(61))
        delivery = try #require(try await inbox.deliveries(of: "k")["audit"])
        #expect(delivery.state == .dead)
        #expect(delivery.attempts == 2)
        #expect(delivery.lastError == "exit status 4")
        #expect(try await inbox.claimDue(now: TestTime.at(10_000), slots: ["audit": 1]).isEmpty)
        #expect(try await inbox.queueDepth(now: TestTime.at(10_000)) == QueueDepth(due: 0, dead: 1))
    }

    @Test("a long error is truncated", arguments: InboxKind.allCases)
    func longErrorIsTruncated(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        let inbox = subject.inbox
        _ = try await inbox.record(Records.record(key: "k", handlers: ["audit"]))
        let claimed = try #require(try await inbox.claimDue(now: TestTime.at(1), slots: ["audit": 1]).first)
        let error = String(repeating: "é", count: 5000)
        try await inbox.fail(claimed.id, error: error, retryAt: nil, now: TestTime.at(2))
        let stored = try #require(try await inbox.deliveries(of: "k")["audit"]?.lastError)
        #expect(stored.utf8.count <= StoreTime.maxErrorBytes)
        #expect(stored.hasPrefix("éé"))
    }

    @Test("complete, fail and release need a running delivery", arguments: InboxKind.allCases)
    func transitionsNeedRunningDelivery(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        let inbox = subject.inbox
        _ = try await inbox.record(Records.record(key: "k", handlers: ["audit"]))
        let id = try #require(try await inbox.deliveries(of: "k")["audit"]).id
        await #expect(throws: InboxError.deliveryNotRunning(id, "complete")) {
            try await inbox.complete(id, now: TestTime.at(1))
        }
        await #expect(throws: InboxError.deliveryNotRunning(id, "fail")) {
            try await inbox.fail(id, error: "x", retryAt: nil, now: TestTime.at(1))
        }
        await #expect(throws: InboxError.deliveryNotFound(9999, "release")) {
            try await inbox.release(9999, now: TestTime.at(1))
        }
    }

    @Test("release puts a running delivery back without counting the attempt", arguments: InboxKind.allCases)
    func releaseDoesNotCountAttempt(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        let inbox = subject.inbox
        _ = try await inbox.record(Records.record(key: "k", handlers: ["audit"]))
        let claimed = try #require(try await inbox.claimDue(now: TestTime.at(1), slots: ["audit": 1]).first)
        try await inbox.release(claimed.id, now: TestTime.at(5))
        let delivery = try #require(try await inbox.deliveries(of: "k")["audit"])
        #expect(delivery.state == .pending)
        #expect(delivery.attempts == 0)
        #expect(delivery.nextAttemptAt == TestTime.at(5))
        let again = try #require(try await inbox.claimDue(now: TestTime.at(5), slots: ["audit": 1]).first)
        #expect(again.attempt == 1)
    }

    @Test("requeueRunning makes running deliveries due again", arguments: InboxKind.allCases)
    func requeueRunningMakesThemDue(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        let inbox = subject.inbox
        _ = try await inbox.record(Records.record(key: "a"))
        _ = try await inbox.record(Records.record(key: "b"))
        let claimed = try await inbox.claimDue(now: TestTime.at(1), slots: ["audit": 5, "crm": 1])
        #expect(claimed.count == 3)
        #expect(try await inbox.requeueRunning(now: TestTime.at(2)) == 3)
        #expect(try await inbox.requeueRunning(now: TestTime.at(2)) == 0)
        let again = try await inbox.claimDue(now: TestTime.at(2), slots: ["audit": 5, "crm": 5])
        #expect(again.count == 4)
        // The interrupted attempt counted: the crash may have happened inside the handler.
        #expect(again.filter { $0.attempt == 2 }.count == 3)
    }

    // MARK: Replay

    @Test("replay(key) queues only the key's dead deliveries, with fresh attempts", arguments: InboxKind.allCases)
    func replayKeyQueuesDeadDeliveries(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        let inbox = subject.inbox
        _ = try await inbox.record(Records.record(key: "k"))
        _ = try await inbox.record(Records.record(key: "other", handlers: ["audit"]))
        let claimed = try await inbox.claimDue(now: TestTime.at(1), slots: ["audit": 5, "crm": 5])
        for delivery in claimed {
            if delivery.handler == "audit" {
                try await inbox.fail(delivery.id, error: "boom", retryAt: nil, now: TestTime.at(2))
            } else {
                try await inbox.complete(delivery.id, now: TestTime.at(2))
            }
        }
        #expect(try await inbox.replay(key: "missing", handler: nil, now: TestTime.at(3)) == 0)
        #expect(try await inbox.replay(key: "k", handler: nil, now: TestTime.at(3)) == 1)
        let deliveries = try await inbox.deliveries(of: "k")
        #expect(deliveries["audit"]?.state == .pending)
        #expect(deliveries["audit"]?.attempts == 0)
        #expect(deliveries["audit"]?.lastError == "boom")
        #expect(deliveries["crm"]?.state == .done)
        #expect(try await inbox.deliveries(of: "other")["audit"]?.state == .dead)
        let again = try await inbox.claimDue(now: TestTime.at(3), slots: ["audit": 5, "crm": 5])
        #expect(again.map(\.eventKey) == ["k"])
        #expect(again.first?.attempt == 1)
    }

    @Test("replay(key, handler) queues that delivery whatever its state", arguments: InboxKind.allCases)
    func replayHandlerWhateverState(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        let inbox = subject.inbox
        _ = try await inbox.record(Records.record(key: "k"))
        let claimed = try await inbox.claimDue(now: TestTime.at(1), slots: ["audit": 1, "crm": 1])
        let audit = try #require(claimed.first { $0.handler == "audit" })
        let crm = try #require(claimed.first { $0.handler == "crm" })
        try await inbox.complete(audit.id, now: TestTime.at(2))
        // Done: queued again.
        #expect(try await inbox.replay(key: "k", handler: "audit", now: TestTime.at(3)) == 1)
        #expect(try await inbox.deliveries(of: "k")["audit"]?.state == .pending)
        // Pending: stays pending, due now.
        #expect(try await inbox.replay(key: "k", handler: "audit", now: TestTime.at(4)) == 1)
        #expect(try await inbox.deliveries(of: "k")["audit"]?.nextAttemptAt == TestTime.at(4))
        // Running: not claimed twice at once, but runs again once the current run ends.
        #expect(try await inbox.replay(key: "k", handler: "crm", now: TestTime.at(4)) == 1)
        #expect(try await inbox.deliveries(of: "k")["crm"]?.state == .running)
        #expect(try await inbox.claimDue(now: TestTime.at(5), slots: ["crm": 5]).isEmpty)
        try await inbox.complete(crm.id, now: TestTime.at(6))
        #expect(try await inbox.deliveries(of: "k")["crm"]?.state == .pending)
        let rerun = try await inbox.claimDue(now: TestTime.at(6), slots: ["crm": 5])
        #expect(rerun.map(\.id) == [crm.id])
        try await inbox.complete(crm.id, now: TestTime.at(7))
        #expect(try await inbox.deliveries(of: "k")["crm"]?.state == .done)
        // A handler the event has no delivery for: nothing queued.
        #expect(try await inbox.replay(key: "k", handler: "nobody", now: TestTime.at(8)) == 0)
    }

    @Test("replayDead queues every dead delivery", arguments: InboxKind.allCases)
    func replayDeadQueuesAll(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        let inbox = subject.inbox
        for key in ["a", "b", "c"] {
            _ = try await inbox.record(Records.record(key: key, handlers: ["audit"]))
        }
        let claimed = try await inbox.claimDue(now: TestTime.at(1), slots: ["audit": 3])
        try await inbox.fail(claimed[0].id, error: "x", retryAt: nil, now: TestTime.at(2))
        try await inbox.fail(claimed[1].id, error: "x", retryAt: nil, now: TestTime.at(2))
        try await inbox.complete(claimed[2].id, now: TestTime.at(2))
        #expect(try await inbox.queueDepth(now: TestTime.at(3)) == QueueDepth(due: 0, dead: 2))
        #expect(try await inbox.replayDead(now: TestTime.at(3)) == 2)
        #expect(try await inbox.queueDepth(now: TestTime.at(3)) == QueueDepth(due: 2, dead: 0))
        #expect(try await inbox.replayDead(now: TestTime.at(3)) == 0)
    }

    // MARK: Listing

    @Test("listEvents: newest first, status from deliveries, type glob, limit", arguments: InboxKind.allCases)
    func listEventsFilters(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        let inbox = subject.inbox
        _ = try await inbox.record(
            Records.record(key: "done", type: "kyc.validation_approved", receivedAt: 1, handlers: ["audit"])
        )
        _ = try await inbox.record(
            Records.record(key: "dead", type: "kyc.validation_rejected", receivedAt: 2, handlers: ["crm"])
        )
        _ = try await inbox.record(Records.record(key: "pending", type: "biometric.session_approved", receivedAt: 3))
        try await inbox.recordRejected(Records.rejected(receivedAt: 4))
        let claimed = try await inbox.claimDue(now: TestTime.at(2), slots: ["audit": 1, "crm": 1])
        for delivery in claimed {
            if delivery.eventKey == "done" {
                try await inbox.complete(delivery.id, now: TestTime.at(3))
            } else {
                try await inbox.fail(delivery.id, error: "x", retryAt: nil, now: TestTime.at(3))
            }
        }
        let all = try await inbox.listEvents(EventQuery())
        #expect(all.map(\.key) == ["rejected:1", "pending", "dead", "done"])
        #expect(all.map(\.status) == ["rejected", "pending", "dead", "done"])
        #expect(all[0].reason == "payload.id: missing")
        #expect(all[0].type == nil)
        #expect(all[1].type == "biometric.session_approved")
        #expect(all[1].source == "gu1.kyc")
        #expect(all[1].outcome == "approved")
        #expect(all[1].route == "/webhooks/gu1")
        #expect(all[1].receivedAt == TestTime.iso(3))

        #expect(try await inbox.listEvents(EventQuery(status: "accepted")).map(\.key) == ["pending", "dead", "done"])
        #expect(try await inbox.listEvents(EventQuery(status: "pending")).map(\.key) == ["pending"])
        #expect(try await inbox.listEvents(EventQuery(status: "dead")).map(\.key) == ["dead"])
        #expect(try await inbox.listEvents(EventQuery(status: "done")).map(\.key) == ["done"])
        #expect(try await inbox.listEvents(EventQuery(status: "rejected")).map(\.key) == ["rejected:1"])
        #expect(try await inbox.listEvents(EventQuery(type: "kyc.*")).map(\.key) == ["dead", "done"])
        #expect(try await inbox.listEvents(EventQuery(type: "*approved")).map(\.key) == ["pending", "done"])
        #expect(try await inbox.listEvents(EventQuery(type: "kyc.validation_rejected")).map(\.key) == ["dead"])
        #expect(try await inbox.listEvents(EventQuery(type: "kyc.?alidation_rejected")).isEmpty)
        #expect(try await inbox.listEvents(EventQuery(limit: 2)).map(\.key) == ["rejected:1", "pending"])
        await #expect(throws: InboxError.self) { try await inbox.listEvents(EventQuery(status: "sideways")) }

        let rejected = try #require(try await inbox.event(key: "rejected:1"))
        #expect(rejected.summary.status == "rejected")
        #expect(rejected.deliveries.isEmpty)
        #expect(try await inbox.event(key: "rejected:99") == nil)
        #expect(try await inbox.event(key: "missing") == nil)
    }

    /// Four events of two people, two sources, two outcomes and three subjects, one a second apart.
    private static func recordPeople(_ inbox: any Inbox) async throws {
        let records = [
            Records.person(key: "a", receivedAt: 10),
            Records.person(
                key: "b",
                type: "kyc.validation_rejected",
                outcome: .rejected,
                subject: "val-2",
                receivedAt: 11
            ),
            Records.person(
                key: "c",
                type: "argos.approved",
                source: "argos",
                subject: "sub-9",
                externalId: "cust-2",
                entityId: nil,
                receivedAt: 12,
                handlers: ["crm"]
            ),
            Records.person(
                key: "d",
                type: "kyc.validation_approved",
                externalId: nil,
                entityId: "ent-1",
                receivedAt: 13
            ),
        ]
        for record in records { _ = try await inbox.record(record) }
        try await inbox.recordRejected(Records.rejected(receivedAt: 12.5))
    }

    @Test(
        "listEvents: source, outcome, subject, externalId, entityId, since and until, each alone and together",
        arguments: InboxKind.allCases
    )
    func listEventsByEveryFilter(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        let inbox = subject.inbox
        try await Self.recordPeople(inbox)
        func keys(_ query: EventQuery) async throws -> [String] { try await inbox.listEvents(query).map(\.key) }

        #expect(try await keys(EventQuery(source: "argos")) == ["c"])
        #expect(try await keys(EventQuery(source: "gu1.kyc")) == ["d", "b", "a"])
        #expect(try await keys(EventQuery(outcome: "rejected")) == ["b"])
        #expect(try await keys(EventQuery(outcome: "approved")) == ["d", "c", "a"])
        #expect(try await keys(EventQuery(subjectId: "val-1")) == ["d", "a"])
        #expect(try await keys(EventQuery(externalId: "cust-1")) == ["b", "a"])
        #expect(try await keys(EventQuery(externalId: "cust-2")) == ["c"])
        #expect(try await keys(EventQuery(entityId: "ent-1")) == ["d", "b", "a"])
        #expect(try await keys(EventQuery(externalId: "nobody")).isEmpty)
        // Since is inclusive, until exclusive; a time filter keeps rejected bodies, an event filter does not.
        #expect(try await keys(EventQuery(since: TestTime.at(12))) == ["d", "rejected:1", "c"])
        #expect(try await keys(EventQuery(until: TestTime.at(12))) == ["b", "a"])
        #expect(try await keys(EventQuery(since: TestTime.at(11), until: TestTime.at(13))) == ["rejected:1", "c", "b"])
        #expect(try await keys(EventQuery(status: "rejected", since: TestTime.at(13))).isEmpty)
        #expect(try await keys(EventQuery(type: "kyc.*", entityId: "ent-1", since: TestTime.at(11))) == ["d", "b"])
        #expect(try await keys(EventQuery(source: "gu1.kyc", outcome: "approved", externalId: "cust-1")) == ["a"])
        #expect(try await keys(EventQuery(status: "pending", externalId: "cust-1", limit: 1)) == ["b"])
    }

    @Test(
        "replay by filter: exactly the matching deliveries, paced, and a dry run changes nothing",
        arguments: InboxKind.allCases
    )
    func replayByFilter(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        let inbox = subject.inbox
        try await Self.recordPeople(inbox)
        // Every delivery done, so that what the replay queues is visible as pending again.
        let claimed = try await inbox.claimDue(now: TestTime.at(20), slots: ["audit": 10, "crm": 10])
        #expect(claimed.count == 7)
        for delivery in claimed { try await inbox.complete(delivery.id, now: TestTime.at(21)) }
        #expect(try await inbox.queueDepth(now: TestTime.at(100)) == QueueDepth(due: 0, dead: 0))

        let kyc = EventQuery(type: "kyc.*", since: TestTime.at(11))
        #expect(
            try await inbox.replay(
                matching: kyc,
                handler: nil,
                now: TestTime.at(30),
                spacing: .seconds(1),
                dryRun: true
            ) == 4
        )
        #expect(try await inbox.queueDepth(now: TestTime.at(100)) == QueueDepth(due: 0, dead: 0))
        #expect(
            try await inbox.replay(
                matching: kyc,
                handler: "crm",
                now: TestTime.at(30),
                spacing: .seconds(1),
                dryRun: true
            ) == 2
        )

        #expect(
            try await inbox.replay(
                matching: kyc,
                handler: "crm",
                now: TestTime.at(30),
                spacing: .seconds(1),
                dryRun: false
            ) == 2
        )
        // Paced: the first is due at once, the second a second later.
        #expect(try await inbox.queueDepth(now: TestTime.at(30)) == QueueDepth(due: 1, dead: 0))
        #expect(try await inbox.queueDepth(now: TestTime.at(31)) == QueueDepth(due: 2, dead: 0))
        let again = try await inbox.claimDue(now: TestTime.at(31), slots: ["audit": 10, "crm": 10])
        #expect(again.map(\.eventKey) == ["b", "d"])
        #expect(again.map(\.handler) == ["crm", "crm"])
        #expect(again.map(\.attempt) == [1, 1])
        // A person's deliveries, every handler; an until before every event selects nothing.
        #expect(
            try await inbox.replay(
                matching: EventQuery(externalId: "cust-2", since: TestTime.at(0)),
                handler: nil,
                now: TestTime.at(40),
                spacing: .zero,
                dryRun: false
            ) == 1
        )
        #expect(
            try await inbox.replay(
                matching: EventQuery(since: TestTime.at(0), until: TestTime.at(5)),
                handler: nil,
                now: TestTime.at(40),
                spacing: .zero,
                dryRun: false
            ) == 0
        )
    }

    // MARK: Pruning

    @Test("prune drops payloads, then keys, never an event with open deliveries", arguments: InboxKind.allCases)
    func pruneByRetention(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        let inbox = subject.inbox
        let day = 86_400.0
        // Old and finished, old with a pending delivery, recent and finished.
        _ = try await inbox.record(Records.record(key: "old", receivedAt: 0, handlers: ["audit"]))
        _ = try await inbox.record(Records.record(key: "old-pending", receivedAt: 0, handlers: ["crm"]))
        _ = try await inbox.record(Records.record(key: "recent", receivedAt: 150 * day, handlers: ["audit"]))
        try await inbox.recordRejected(Records.rejected(receivedAt: 0))
        for delivery in try await inbox.claimDue(now: TestTime.at(151 * day), slots: ["audit": 5]) {
            try await inbox.complete(delivery.id, now: TestTime.at(151 * day))
        }
        // At day 160 with payloads kept 150 days: "old" and the rejected body lose their payloads.
        let payloadPruned = try await inbox.prune(
            now: TestTime.at(160 * day),
            payloadRetentionDays: 150,
            keyRetentionDays: 1000
        )
        #expect(payloadPruned == 2)
        #expect(
            try await inbox.prune(now: TestTime.at(160 * day), payloadRetentionDays: 150, keyRetentionDays: 1000) == 0
        )
        // A replay after the payload is gone gets the event without its payload.
        #expect(try await inbox.replay(key: "old", handler: "audit", now: TestTime.at(161 * day)) == 1)
        let replayed = try #require(try await inbox.claimDue(now: TestTime.at(161 * day), slots: ["audit": 1]).first)
        #expect(
            String(decoding: replayed.eventJSON, as: UTF8.self)
                == #"{"key":"old","type":"kyc.validation_approved","payload":null,"route":"/webhooks/gu1"}"#
        )
        try await inbox.complete(replayed.id, now: TestTime.at(161 * day))
        // The pending one keeps its payload: its handler still needs it.
        let pending = try #require(try await inbox.claimDue(now: TestTime.at(161 * day), slots: ["crm": 1]).first)
        #expect(pending.eventJSON == Records.record(key: "old-pending").eventJSON)
        try await inbox.release(pending.id, now: TestTime.at(161 * day))

        // At day 200 with keys kept 100 days: "old" and the rejected body go, "old-pending" stays.
        let keysPruned = try await inbox.prune(
            now: TestTime.at(200 * day),
            payloadRetentionDays: 10,
            keyRetentionDays: 100
        )
        #expect(keysPruned == 3) // "old", the rejected body, and "recent"'s payload.
        #expect(try await inbox.event(key: "old") == nil)
        #expect(try await inbox.event(key: "old-pending") != nil)
        #expect(try await inbox.event(key: "recent") != nil)
        #expect(try await inbox.listEvents(EventQuery(status: "rejected")).isEmpty)
        // A pruned key is forgotten: the same key is new again.
        #expect(try await inbox.record(Records.record(key: "old")) == .accepted)
    }

    // MARK: Lifecycle

    @Test("after close, nothing is accepted", arguments: InboxKind.allCases)
    func closedInboxRefuses(kind: InboxKind) async throws {
        let subject = try await InboxUnderTest(kind)
        let inbox = subject.inbox
        try await inbox.ping()
        inbox.close()
        await #expect(throws: InboxError.self) { try await inbox.ping() }
        await #expect(throws: InboxError.self) { try await inbox.record(Records.record(key: "k")) }
        await #expect(throws: InboxError.self) { try await inbox.recordRejected(Records.rejected()) }
        await #expect(throws: InboxError.self) { try await inbox.claimDue(now: TestTime.at(1), slots: ["audit": 1]) }
        inbox.close()
    }
}
