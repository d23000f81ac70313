import Foundation
import Synchronization
import Testing
import WebhookCore
import WebhookCrypto
import WebhookHTTP
import WebhookStore
import WebhookTesting

@testable import WebhookApp

/// `WebhookReceiver` behind the router, driven as the server drives a request (preflight with a new context,
/// then respond with the context preflight left), without sockets and without the application's metrics.
@Suite struct ReceiverTests {
    /// Counts refusals; ignores everything else (no metrics registry behind it).
    final class CountingObserver: ReceiveObserver {
        let refusals = Mutex<[String]>([])

        func refused(route: String, refusal: WebhookReceiver.Refusal) {
            refusals.withLock { $0.append("\(refusal)") }
        }

        func recorded(route: String, type: String, outcome: RecordOutcome) {}
        func eventHeaderMismatch(route: String) {}
        func storeFailed(route: String) {}
    }

    static let gu1Secret = "whsec_receiver_test"
    static let argosToken = "tok_receiver_test"

    static func router(
        for route: Configuration.Route,
        isTrustedProxy: @escaping @Sendable (String) -> Bool = { _ in false },
        inbox: any Inbox,
        handlers: [String] = [],
        observer: any ReceiveObserver,
        wakeDispatcher: @escaping @Sendable () -> Void = {}
    ) -> RouterResponder {
        let receiver = WebhookReceiver(
            route: route,
            isTrustedProxy: isTrustedProxy,
            inbox: inbox,
            handlers: handlers.map { ($0, HandlerMatch()) },
            observer: observer,
            wakeDispatcher: wakeDispatcher,
            logger: InMemoryLogHandler().logger(),
            now: { Date() }
        )
        var router = Router()
        router.add(route.path, methods: ["POST"], matchingOneMoreSegment: true, responder: receiver)
        return router.buildResponder()
    }

    /// What the server does with one request: preflight, then (unless refused) respond with its context.
    /// The memory inbox completes `record` at once, so the response is there when `respond` returns.
    static func serve(
        _ router: RouterResponder,
        _ target: String,
        body: [UInt8],
        fields: [HTTPFields.Field] = []
    )
        throws -> HTTPResponse
    {
        let head = HTTPRequestHead(
            method: "POST",
            target: target,
            version: .http1_1,
            fields: HTTPFields(fields),
            framing: .length(body.count),
            isKeepAlive: true,
            expectsContinue: false
        )
        var context = HTTPRequestContext(remoteAddress: "127.0.0.1")
        if let refusal = router.preflight(head, context: &context) { return refusal }
        let answer = Mutex<HTTPResponse?>(nil)
        router.respond(
            to: HTTPRequest(head: head, body: body, context: context, requestID: "t"),
            writer: HTTPResponseWriter { response in answer.withLock { $0 = response } }
        )
        return try #require(answer.withLock { $0 })
    }

    static func gu1Body(_ id: String) -> [UInt8] {
        Array(
            #"{"event":"kyc.validation_approved","timestamp":"2025-01-07T11:00:00Z","payload":{"id":"\#(id)","entityId":"e-1","status":"approved"}}"#
                .utf8
        )
    }

    static func gu1Signature(_ body: [UInt8]) -> HTTPFields.Field {
        .init(
            name: "X-Webhook-Signature",
            value: Hex.encode(HMACSHA256.authenticationCode(for: body, key: Array(gu1Secret.utf8)))
        )
    }

    static let gu1Settings = Configuration.Route(
        path: "/webhooks/gu1",
        sender: .gu1(.init(secrets: [Secret(gu1Secret)], requireSignature: true))
    )

    // MARK: Preflight once

    /// The allow-list and token checks run in preflight and are not repeated by `respond`: one look at the
    /// client per request (counted where the allow-list asks whether the peer is a trusted proxy, once per
    /// request that carries `X-Forwarded-For`), accepted or refused, and one refusal counted per refused request.
    @Test func preflightRunsOncePerRequest() throws {
        let lookups = Atomic<Int>(0)
        let route = Configuration.Route(
            path: "/webhooks/argos",
            sender: .argos(.init(token: Secret(Self.argosToken), allowFrom: [try #require(CIDR("127.0.0.0/8"))]))
        )
        let observer = CountingObserver()
        let router = Self.router(
            for: route,
            isTrustedProxy: { _ in
                lookups.add(1, ordering: .relaxed)
                return false
            },
            inbox: MemoryInbox(),
            observer: observer
        )
        let body = try #require(SampleEvents.body(for: "argos.approved"))
        let forwarded = [HTTPFields.Field(name: "X-Forwarded-For", value: "203.0.113.9")]

        let accepted = try Self.serve(router, "/webhooks/argos/\(Self.argosToken)", body: body, fields: forwarded)
        #expect(accepted.status == 200, "\(String(decoding: accepted.body, as: UTF8.self))")
        #expect(lookups.load(ordering: .relaxed) == 1)

        let refused = try Self.serve(router, "/webhooks/argos/wrong-token", body: body, fields: forwarded)
        #expect(refused.status == 401)
        #expect(String(decoding: refused.body, as: UTF8.self) == #"{"error":"invalid_token"}"#)
        #expect(lookups.load(ordering: .relaxed) == 2)
        #expect(observer.refusals.withLock { $0 } == ["token"])
    }

    /// The Gu1 signature field is read in preflight and checked against the body in `respond`, once.
    @Test func gu1SignatureFromPreflightIsCheckedAgainstTheBody() throws {
        let observer = CountingObserver()
        let router = Self.router(for: Self.gu1Settings, inbox: MemoryInbox(), observer: observer)
        let body = Self.gu1Body("sig-1")
        #expect(try Self.serve(router, "/webhooks/gu1", body: body, fields: [Self.gu1Signature(body)]).status == 200)
        let forged = try Self.serve(
            router,
            "/webhooks/gu1",
            body: body,
            fields: [Self.gu1Signature(Self.gu1Body("other"))]
        )
        #expect(forged.status == 401)
        #expect(String(decoding: forged.body, as: UTF8.self) == #"{"error":"invalid_signature"}"#)
        let missing = try Self.serve(router, "/webhooks/gu1", body: body)
        #expect(missing.status == 401)
        #expect(observer.refusals.withLock { $0 } == ["signature", "signature"])
    }

    // MARK: Waking the dispatcher

    /// A new event queued for a handler wakes the dispatcher from the receive path itself: with an observer
    /// that records nothing, and a poll interval far longer than the test, the second event is still
    /// delivered at once.
    @Test func newEventWakesTheDispatcherWithoutMetrics() async throws {
        let inbox = MemoryInbox()
        let recorder = RecordingHandler()
        let dispatcher = Dispatcher(
            inbox: inbox,
            handlers: [.init(name: "recorder", handler: recorder)],
            pollInterval: .seconds(3600),
            logger: InMemoryLogHandler().logger()
        )
        let router = Self.router(
            for: Self.gu1Settings,
            inbox: inbox,
            handlers: ["recorder"],
            observer: CountingObserver(),
            wakeDispatcher: { dispatcher.wake() }
        )
        // The first event, recorded before the dispatcher starts, is found by its first look.
        let first = Self.gu1Body("wake-1")
        #expect(try Self.serve(router, "/webhooks/gu1", body: first, fields: [Self.gu1Signature(first)]).status == 200)
        let running = Task { try await dispatcher.run() }
        defer { running.cancel() }
        #expect(await Self.wait(seconds: 10) { recorder.calls.count == 1 })
        // Once that delivery is recorded, the dispatcher idles until its next poll, an hour away: only a
        // wake-up brings the second event.
        let firstKey = "kyc.validation_approved:wake-1"
        var isFirstDone = false
        for _ in 0..<1000 where !isFirstDone {
            isFirstDone = try await inbox.event(key: firstKey)?.deliveries.first?.state == .done
            if !isFirstDone { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(isFirstDone)
        try await Task.sleep(for: .milliseconds(300))
        let second = Self.gu1Body("wake-2")
        #expect(
            try Self.serve(router, "/webhooks/gu1", body: second, fields: [Self.gu1Signature(second)]).status == 200
        )
        #expect(await Self.wait(seconds: 10) { recorder.calls.count == 2 })

        dispatcher.shutdown(gracePeriod: .seconds(1))
        try await running.value
    }

    /// Polls `condition` every 10 ms until it holds or `seconds` pass; returns whether it held.
    static func wait(seconds: Double, until condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}
