import Foundation
import Testing
import WebhookApp
import WebhookCore
import WebhookCrypto
import WebhookStore
import WebhookTesting

@Suite struct HandlerHTTPTests {
    /// A 2xx answer is success; the request is a POST of the event JSON as application/json, unsigned
    /// without a key.
    @Test func postsTheEventJSON() async throws {
        try await withTestHTTPServer(statuses: [204]) { server in
            let event = TestEvents.event()
            try await HTTPEventHandler(url: server.url, timeout: .seconds(10)).handle(
                event,
                context: context(for: event)
            )

            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.target == "/hooks/crm")
            #expect(request.headers["content-type"] == "application/json")
            #expect(request.body == event.jsonBytes())
            #expect(request.headers["webhook-signature"] == nil)
        }
    }

    /// A non-2xx answer fails with the status and a short prefix of the body.
    @Test func non2xxFailsWithStatusAndBodyPrefix() async throws {
        try await withTestHTTPServer(
            defaultStatus: 500,
            responseBody: "upstream broke " + String(repeating: "x", count: 5000)
        ) { server in
            let event = TestEvents.event()
            let error = await #expect(throws: HandlerError.self) {
                try await HTTPEventHandler(url: server.url, timeout: .seconds(10)).handle(
                    event,
                    context: context(for: event)
                )
            }
            #expect(error?.kind == .httpStatus)
            #expect(error?.status == 500)
            #expect(error?.description.contains("upstream broke") == true)
            #expect((error?.description.utf8.count ?? .max) < HTTPEventHandler.responsePrefixLimit + 120)
        }
    }

    /// With a key, the Standard Webhooks headers are sent and the signature verifies with the secret.
    @Test func signsPerStandardWebhooks() async throws {
        try await withTestHTTPServer { server in
            let keyBytes: [UInt8] = Array("a test signing key of 32 bytes!!".utf8)
            let secret = "whsec_" + Base64.encode(keyBytes)
            let key = try HTTPEventHandler.signingKey(fromSecret: secret)
            #expect(key == keyBytes)
            let event = TestEvents.event()
            let before = Int(Date().timeIntervalSince1970)
            try await HTTPEventHandler(url: server.url, timeout: .seconds(10), signingKey: key)
                .handle(event, context: context(for: event))
            let after = Int(Date().timeIntervalSince1970)

            let request = try #require(server.requests.first)
            #expect(request.headers["webhook-id"] == event.key)
            let timestamp = try #require(Int(request.headers["webhook-timestamp"] ?? ""))
            #expect(timestamp >= before && timestamp <= after)
            let signature = try #require(request.headers["webhook-signature"])
            #expect(signature.hasPrefix("v1,"))
            let mac = try #require(Base64.decode(signature.dropFirst(3)))
            let signed = Array("\(event.key).\(timestamp).".utf8) + request.body
            #expect(signed.withUnsafeBytes { HMACSHA256.isValid(mac, for: $0, key: keyBytes) })
            // And not with another key.
            #expect(!signed.withUnsafeBytes { HMACSHA256.isValid(mac, for: $0, key: Array("other".utf8)) })
        }
    }

    /// The Standard Webhooks example: `whsec_` secrets are base64-decoded; others are used as UTF-8 bytes;
    /// a malformed `whsec_` secret is refused without being quoted.
    @Test func signingKeyFromSecret() throws {
        // From the Standard Webhooks specification's example.
        let key = try HTTPEventHandler.signingKey(fromSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let signature = HTTPEventHandler.signature(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
            timestamp: 1_614_265_330,
            body: Array(#"{"test": 2432232314}"#.utf8),
            key: key
        )
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")

        #expect(try HTTPEventHandler.signingKey(fromSecret: "plain-secret") == Array("plain-secret".utf8))
        let error = #expect(throws: HandlerError.self) {
            try HTTPEventHandler.signingKey(fromSecret: "whsec_not base64!")
        }
        #expect(error?.kind == .configuration)
        #expect(error?.description.contains("not base64") == false)
        #expect(throws: HandlerError.self) { try HTTPEventHandler.signingKey(fromSecret: "") }
    }

    /// A redirect is not followed: the 3xx fails the attempt and nothing is sent to the other URL.
    @Test func redirectsAreNotFollowed() async throws {
        try await withTestHTTPServer { target in
            try await withTestHTTPServer(defaultStatus: 307, extraHeaders: "Location: \(target.url.absoluteString)\r\n")
            { server in
                let event = TestEvents.event()
                let error = await #expect(throws: HandlerError.self) {
                    try await HTTPEventHandler(url: server.url, timeout: .seconds(10), signingKey: Array("k".utf8))
                        .handle(event, context: context(for: event))
                }
                #expect(error?.status == 307)
                #expect(server.requests.count == 1)
                #expect(target.requests.isEmpty)
            }
        }
    }

    /// A receiver that never answers fails the attempt at the timeout.
    @Test func hangingReceiverTimesOut() async throws {
        try await withTestHTTPServer(isHanging: true) { server in
            let clock = ManualClock()
            let handler = HTTPEventHandler(url: server.url, timeout: .seconds(5), clock: clock)
            let event = TestEvents.event()
            let run = Task { try await handler.handle(event, context: context(for: event)) }
            try await withTimeout(seconds: 10) { await clock.waitForSleepers(count: 1) }
            for _ in 0..<5000 where server.requests.isEmpty { try await Task.sleep(for: .milliseconds(2)) }
            clock.advance(by: .seconds(5))
            let result = try await withTimeout(seconds: 10) { await run.result }
            #expect {
                try result.get()
            } throws: { error in
                (error as? HandlerError)?.kind == .timeout
            }
        }
    }

    /// A refused connection is a transport failure.
    @Test func refusedConnectionFails() async throws {
        // The server is stopped when its scope ends: nothing listens on its port any more.
        let url = try await withTestHTTPServer { server in server.url }
        let event = TestEvents.event()
        let error = await #expect(throws: HandlerError.self) {
            try await HTTPEventHandler(url: url, timeout: .seconds(10)).handle(event, context: context(for: event))
        }
        #expect(error?.kind == .transport)
    }

    /// Through the dispatcher: a 500 is retried, then 200 succeeds; a receiver failing every attempt makes the
    /// delivery dead; a replay runs it again.
    @Test func retriesThenSucceedsThenDeadThenReplay() async throws {
        try await withTestHTTPServer(statuses: [500, 503, 200, 500, 500, 500]) { server in
            let harness = DispatchHarness(
                handlers: [.init(name: "crm", handler: HTTPEventHandler(url: server.url, timeout: .seconds(10)))],
                retry: RetryPolicy(maxAttempts: 3, initialDelay: .seconds(1), maxDelay: .seconds(4))
            )
            try await harness.start()
            let first = TestEvents.event(key: "kyc.validation_approved:first")
            try await harness.record(first, handlers: ["crm"])
            try await harness.pump { harness.results.count("crm", .succeeded) == 1 }
            #expect(harness.results.count("crm", .failed) == 2)
            let delivered = try await TestEvents.delivery(first.key, handler: "crm", in: harness.inbox)
            #expect(delivered.state == .done)
            #expect(delivered.attempts == 3)

            let second = TestEvents.event(key: "kyc.validation_approved:second")
            try await harness.record(second, handlers: ["crm"])
            try await harness.pump { harness.results.count("crm", .dead) == 1 }
            let dead = try await TestEvents.delivery(second.key, handler: "crm", in: harness.inbox)
            #expect(dead.lastError?.contains("answered 200") == false)
            #expect(dead.lastError?.contains("answered 500") == true)

            _ = try await harness.inbox.replay(key: second.key, handler: nil, now: harness.clock.currentDate())
            try await harness.pump { harness.results.count("crm", .succeeded) == 2 }
            #expect(server.requests.count == 7)
            #expect(server.requests.allSatisfy { $0.method == "POST" })
            try await harness.stop()
        }
    }
}
