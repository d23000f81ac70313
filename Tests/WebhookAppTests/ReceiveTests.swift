import Foundation
import Testing
import WebhookApp
import WebhookCore
import WebhookCrypto
import WebhookStore
import WebhookTesting

/// The receive path end to end through the real listener: authentication, decoding, recording, statuses.
@Suite struct ReceiveTests {
    static let environment = [
        "GU1_SECRET": "whsec_test_current",
        "GU1_OLD": "whsec_test_previous",
        "ARGOS_TOKEN": "tok_0123456789abcdef",
        "ARGOS_API_KEY": "argos-test-api-key",
    ]

    static let configuration = """
        {
          "listen": {"host": "127.0.0.1", "port": 0},
          "trustedProxies": ["127.0.0.1/32"],
          "store": {"kind": "memory"},
          "routes": [
            {"path": "/webhooks/gu1", "sender": "gu1",
             "secrets": [{"env": "GU1_SECRET"}, {"env": "GU1_OLD", "optional": true}]},
            {"path": "/webhooks/gu1-open", "sender": "gu1", "secrets": [], "requireSignature": false},
            {"path": "/webhooks/argos", "sender": "argos", "token": {"env": "ARGOS_TOKEN"}},
            {"path": "/webhooks/argos-encrypted", "sender": "argos",
             "decrypt": {"algorithm": "aes-256-ecb", "apiKey": {"env": "ARGOS_API_KEY"}}},
            {"path": "/webhooks/argos-token-encrypted", "sender": "argos", "token": {"env": "ARGOS_TOKEN"},
             "decrypt": {"algorithm": "aes-256-ecb", "apiKey": {"env": "ARGOS_API_KEY"}}},
            {"path": "/webhooks/argos-local", "sender": "argos", "allowFrom": ["127.0.0.0/8"]},
            {"path": "/webhooks/argos-remote", "sender": "argos", "allowFrom": ["203.0.113.0/24"]},
            {"path": "/webhooks/argos-local-token", "sender": "argos", "allowFrom": ["127.0.0.0/8"],
             "token": {"env": "ARGOS_TOKEN"}},
            {"path": "/webhooks/argos-remote-token", "sender": "argos", "allowFrom": ["203.0.113.0/24"],
             "token": {"env": "ARGOS_TOKEN"}}
          ],
          "handlers": []
        }
        """

    /// Runs `body` with the application of ``configuration``, stopped afterwards whatever happens.
    static func withApp(
        inbox: (any Inbox)? = nil,
        customHandlers: [Application.CustomHandler] = [],
        _ body: (TestApplication) async throws -> Void
    ) async throws {
        try await withTestApplication(
            configuration: configuration,
            environment: environment,
            inbox: inbox,
            customHandlers: customHandlers,
            body
        )
    }

    static func sign(_ body: [UInt8], secret: String = "whsec_test_current") -> String {
        Hex.encode(HMACSHA256.authenticationCode(for: body, key: Array(secret.utf8)))
    }

    /// Where a fixture is posted, and with which headers.
    static func request(for fixture: Fixture) -> (path: String, headers: [(String, String)]) {
        if fixture.isEncrypted { return ("/webhooks/argos-encrypted", []) }
        if fixture.sender == "argos" { return ("/webhooks/argos/tok_0123456789abcdef", []) }
        return ("/webhooks/gu1", [("X-Webhook-Signature", sign(fixture.body)), ("X-Webhook-ID", UUID().uuidString)])
    }

    static func json(_ response: LoopbackResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    // MARK: Every fixture

    @Test("every fixture is accepted through the listener with its key, then a duplicate", arguments: Fixtures.names)
    func everyFixtureIsAcceptedThenDuplicate(name: String) async throws {
        let fixture = try Fixtures.load(name)
        try await Self.withApp { app in
            let (path, headers) = Self.request(for: fixture)
            let first = try await app.post(path, body: fixture.body, headers: headers)
            #expect(first.status == 200, "\(first.text)")
            #expect(try Self.json(first)["status"] as? String == "accepted")
            #expect(try Self.json(first)["key"] as? String == fixture.expected.idempotencyKey)
            let again = try await app.post(path, body: fixture.body, headers: Self.request(for: fixture).headers)
            #expect(again.status == 200)
            #expect(try Self.json(again)["status"] as? String == "duplicate")
            let stored = try #require(try await app.application.inbox.event(key: fixture.expected.idempotencyKey))
            #expect(stored.summary.type == fixture.expected.type)
            // receivedAt is ISO 8601 UTC with milliseconds, e.g. 2026-11-22T10:00:00.123Z.
            let receivedAt = stored.summary.receivedAt
            #expect(
                receivedAt.count == 24 && receivedAt.hasSuffix("Z") && receivedAt.dropFirst(19).hasPrefix("."),
                "\(receivedAt)"
            )
        }
    }

    // MARK: Gu1 signatures

    @Test func everyWrongSignatureIsRefused() async throws {
        try await Self.withApp { app in
            let body = try Fixtures.load("gu1-kyc/approved.json").body
            let good = Self.sign(body)
            // Re-serialized JSON: same content, other bytes.
            let object = try JSONSerialization.jsonObject(with: Data(body))
            let reserialized = Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
            #expect(reserialized != body)
            let cases: [(String, [UInt8], [(String, String)], Int, String)] = [
                ("missing", body, [], 401, "invalid_signature"),
                (
                    "wrong secret", body, [("X-Webhook-Signature", Self.sign(body, secret: "nope"))], 401,
                    "invalid_signature"
                ),
                ("other body", body + Array(" ".utf8), [("X-Webhook-Signature", good)], 401, "invalid_signature"),
                ("truncated", body, [("X-Webhook-Signature", String(good.dropLast(2)))], 401, "invalid_signature"),
                (
                    "not hex", body, [("X-Webhook-Signature", String(repeating: "z", count: 64))], 401,
                    "invalid_signature"
                ),
                ("re-serialized JSON", reserialized, [("X-Webhook-Signature", good)], 401, "invalid_signature"),
                (
                    "two fields", body, [("X-Webhook-Signature", good), ("X-Webhook-Signature", good)], 400,
                    "bad_request"
                ),
                ("empty", body, [("X-Webhook-Signature", "")], 401, "invalid_signature"),
            ]
            for (label, sentBody, headers, status, error) in cases {
                let response = try await app.post("/webhooks/gu1", body: sentBody, headers: headers)
                #expect(response.status == status, "\(label): \(response.text)")
                #expect(try Self.json(response)["error"] as? String == error, "\(label)")
            }
            let listed = try await app.application.inbox.listEvents(EventQuery(limit: 10))
            #expect(listed.isEmpty, "nothing is recorded for an unauthenticated request")
        }
    }

    @Test func signatureFormsAndRotatedSecretsAreAccepted() async throws {
        try await Self.withApp { app in
            let bodies = try ["gu1-kyc/approved.json", "gu1-kyc/rejected.json", "gu1-kyc/created.json"].map {
                try Fixtures.load($0).body
            }
            let forms = [
                Self.sign(bodies[0]).uppercased(),
                "sha256=" + Self.sign(bodies[1]),
                Self.sign(bodies[2], secret: "whsec_test_previous"),
            ]
            for (body, signature) in zip(bodies, forms) {
                let response = try await app.post(
                    "/webhooks/gu1",
                    body: body,
                    headers: [("X-Webhook-Signature", signature)]
                )
                #expect(response.status == 200, "\(signature.prefix(8)): \(response.text)")
            }
        }
    }

    @Test func unsignedRouteNeedsExplicitOptOut() async throws {
        try await Self.withApp { app in
            let body = try Fixtures.load("gu1-kyc/created.json").body
            #expect(try await app.post("/webhooks/gu1", body: body).status == 401)
            #expect(try await app.post("/webhooks/gu1-open", body: body).status == 200)
        }
    }

    @Test func eventTypeComesFromTheSignedBody() async throws {
        try await Self.withApp { app in
            let body = try Fixtures.load("gu1-kyc/rejected.json").body
            let response = try await app.post(
                "/webhooks/gu1",
                body: body,
                headers: [("X-Webhook-Signature", Self.sign(body)), ("X-Webhook-Event", "kyc.validation_approved")]
            )
            #expect(response.status == 200)
            let key = try #require(try Self.json(response)["key"] as? String)
            #expect(key.hasPrefix("kyc.validation_rejected:"))
            #expect(
                app.application.metrics.render().contains(
                    #"kyc_webhooks_event_type_mismatches_total{route="/webhooks/gu1"} 1"#
                )
            )
        }
    }

    @Test func sameBiometricEventThroughTwoDeliveriesIsOneEvent() async throws {
        let recorder = RecordingHandler()
        try await Self.withApp(customHandlers: [.init(name: "recorder", handler: recorder)]) { app in
            let body = try Fixtures.load("gu1-biometric/approved.json").body
            let first = try await app.post(
                "/webhooks/gu1",
                body: body,
                headers: [("X-Webhook-Signature", Self.sign(body)), ("X-Webhook-ID", "org-delivery-1")]
            )
            let second = try await app.post(
                "/webhooks/gu1",
                body: body,
                headers: [("X-Webhook-Signature", Self.sign(body)), ("X-Webhook-ID", "per-request-2")]
            )
            #expect(try Self.json(first)["status"] as? String == "accepted")
            #expect(try Self.json(second)["status"] as? String == "duplicate")
            #expect(try Self.json(first)["key"] as? String == Self.json(second)["key"] as? String)
            // The delivery may still be on its way to the dispatcher: wait for it, then for a second that never comes.
            let deadline = ContinuousClock.now + .seconds(10)
            while recorder.calls.isEmpty && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(300))
            await app.stop()
            #expect(recorder.calls.count == 1)
        }
    }

    /// The data-loss bug of the previous key rule: a second, different event of a type not documented as once
    /// per subject was answered `duplicate` and never handled.
    @Test func distinctEventsOfRepeatableAndUnknownTypesAreEachHandled() async throws {
        let recorder = RecordingHandler()
        try await Self.withApp(customHandlers: [.init(name: "recorder", handler: recorder)]) { app in
            let bodies = [
                #"{"event":"transaction.status_changed","timestamp":"2025-01-07T11:00:00Z","payload":{"id":"tx-1","status":"approved"}}"#,
                #"{"event":"transaction.status_changed","timestamp":"2025-01-07T12:00:00Z","payload":{"id":"tx-1","status":"rejected"}}"#,
                #"{"event":"risk_analysis_entity_executed","timestamp":"2025-01-07T11:00:00Z","payload":{"id":"ra-1"}}"#,
                #"{"event":"risk_analysis_entity_executed","timestamp":"2025-01-08T11:00:00Z","payload":{"id":"ra-1"}}"#,
            ].map { Array($0.utf8) }
            var keys: Set<String> = []
            for body in bodies {
                let response = try await app.post(
                    "/webhooks/gu1",
                    body: body,
                    headers: [("X-Webhook-Signature", Self.sign(body))]
                )
                #expect(try Self.json(response)["status"] as? String == "accepted", "\(response.text)")
                keys.insert(try #require(try Self.json(response)["key"] as? String))
            }
            #expect(keys.count == 4)
            // The same body again is still one event.
            let again = try await app.post(
                "/webhooks/gu1",
                body: bodies[1],
                headers: [("X-Webhook-Signature", Self.sign(bodies[1]))]
            )
            #expect(try Self.json(again)["status"] as? String == "duplicate")
            let deadline = ContinuousClock.now + .seconds(10)
            while recorder.calls.count < 4 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(200))
            #expect(recorder.calls.count == 4)
        }
    }

    // MARK: Subject order (docs/reference.md §5 "Order")

    static func kycBody(_ word: String, at timestamp: String, id: String = "val-order-1") -> [UInt8] {
        Array(
            #"{"event":"kyc.validation_\#(word)","timestamp":"\#(timestamp)","organizationId":"org-1","payload":{"id":"\#(id)","entityId":"ent-1","status":"\#(word)"}}"#
                .utf8
        )
    }

    /// Posts `first` through the organization webhook and `second` as a per-request `webhookUrl` delivery
    /// (with `X-Webhook-Event`, `X-Webhook-ID`, `X-Webhook-Timestamp`), then returns the calls of a handler
    /// without `match` and of one matching `"stale": false`, once both have run.
    static func deliverInOrder(
        _ first: [UInt8],
        _ second: [UInt8],
        expectedFresh: Int
    ) async throws -> (all: [RecordingHandler.Call], fresh: [RecordingHandler.Call]) {
        let all = RecordingHandler()
        let fresh = RecordingHandler()
        let handlers: [Application.CustomHandler] = [
            .init(name: "all", handler: all), .init(name: "fresh", match: HandlerMatch(stale: false), handler: fresh),
        ]
        try await Self.withApp(customHandlers: handlers) { app in
            let organization = try await app.post(
                "/webhooks/gu1",
                body: first,
                headers: [("X-Webhook-Signature", Self.sign(first))]
            )
            #expect(try Self.json(organization)["status"] as? String == "accepted", "\(organization.text)")
            let perRequest = try await app.post(
                "/webhooks/gu1",
                body: second,
                headers: [
                    ("X-Webhook-Signature", Self.sign(second)), ("X-Webhook-Event", "kyc.validation_in_progress"),
                    ("X-Webhook-ID", UUID().uuidString), ("X-Webhook-Timestamp", "1736247600"),
                ]
            )
            #expect(try Self.json(perRequest)["status"] as? String == "accepted", "\(perRequest.text)")
            await all.waitForCalls(count: 2)
            await fresh.waitForCalls(count: expectedFresh)
            // A delivery that should not come has had time to.
            try await Task.sleep(for: .milliseconds(300))
        }
        return (all.calls, fresh.calls)
    }

    /// An `in_progress` retried after the `approved` (here half a second earlier: fractions compare as
    /// instants) is recorded and delivered as stale, and skips the handler matching `"stale": false`.
    @Test func aLateEventIsStaleAcrossTheOrganizationWebhookAndAWebhookURLDelivery() async throws {
        let approved = Self.kycBody("approved", at: "2025-01-07T11:00:00.500Z")
        let late = Self.kycBody("in_progress", at: "2025-01-07T11:00:00Z")
        let (all, fresh) = try await Self.deliverInOrder(approved, late, expectedFresh: 1)
        let byType = Dictionary(uniqueKeysWithValues: all.map { ($0.eventType, $0) })
        let lateJSON = String(decoding: try #require(byType["kyc.validation_in_progress"]).eventJSON, as: UTF8.self)
        #expect(lateJSON.contains(#","stale":true ,"payload":"#), "\(lateJSON)")
        let approvedJSON = String(decoding: try #require(byType["kyc.validation_approved"]).eventJSON, as: UTF8.self)
        #expect(approvedJSON.contains(#","stale":false,"payload":"#))
        #expect(fresh.map(\.eventType) == ["kyc.validation_approved"])
    }

    @Test func eventsInOrderAreNeitherStale() async throws {
        let inProgress = Self.kycBody("in_progress", at: "2025-01-07T11:00:00Z")
        let approved = Self.kycBody("approved", at: "2025-01-07T11:00:00.500Z")
        let (all, fresh) = try await Self.deliverInOrder(inProgress, approved, expectedFresh: 2)
        #expect(all.count == 2)
        for call in all {
            #expect(try WebhookEvent(json: call.eventJSON).stale == false)
        }
        #expect(Set(fresh.map(\.eventType)) == ["kyc.validation_in_progress", "kyc.validation_approved"])
    }

    @Test func twentyConcurrentCopiesAreOneAcceptedAndOneHandlerRun() async throws {
        let recorder = RecordingHandler()
        try await Self.withApp(customHandlers: [.init(name: "recorder", handler: recorder)]) { app in
            let body = try Fixtures.load("gu1-kyc/approved.json").body
            let signature = Self.sign(body)
            let statuses = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let response = try await app.post(
                            "/webhooks/gu1",
                            body: body,
                            headers: [("X-Webhook-Signature", signature)]
                        )
                        return try Self.json(response)["status"] as? String ?? "?"
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == "accepted" }.count == 1)
            #expect(statuses.filter { $0 == "duplicate" }.count == 19)
            let deadline = ContinuousClock.now + .seconds(10)
            while recorder.calls.isEmpty && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(300))
            #expect(recorder.calls.count == 1)
        }
    }

    // MARK: ARGOS

    @Test func argosTokenInPathOrQuery() async throws {
        try await Self.withApp { app in
            let body = try Fixtures.load("argos/created.json").body
            #expect(try await app.post("/webhooks/argos/tok_0123456789abcdef", body: body).status == 200)
            #expect(try await app.post("/webhooks/argos?token=tok_0123456789abcdef", body: body).status == 200)
            for path in ["/webhooks/argos", "/webhooks/argos/tok_wrong", "/webhooks/argos?token=tok_0123456789abcde"] {
                let response = try await app.post(path, body: body)
                #expect(response.status == 401, "\(path)")
                #expect(try Self.json(response)["error"] as? String == "invalid_token")
            }
        }
    }

    @Test func argosAllowFromBelievesForwardedForOnlyFromTrustedProxies() async throws {
        try await Self.withApp { app in
            let body = try Fixtures.load("argos/submit.json").body
            // The peer is 127.0.0.1, allowed on argos-local.
            #expect(try await app.post("/webhooks/argos-local", body: body).status == 200)
            // Not allowed on argos-remote (203.0.113.0/24)...
            let refused = try await app.post("/webhooks/argos-remote", body: body)
            #expect(refused.status == 403)
            #expect(try Self.json(refused)["error"] as? String == "forbidden")
            // ...unless a trusted proxy (127.0.0.1 is one by default) forwards for an allowed client.
            let forwarded = try await app.post(
                "/webhooks/argos-remote",
                body: body,
                headers: [("X-Forwarded-For", "203.0.113.7")]
            )
            #expect(forwarded.status == 200)
            // A forged hop left of an untrusted client is not believed: the client is 198.51.100.1.
            let forged = try await app.post(
                "/webhooks/argos-remote",
                body: body,
                headers: [("X-Forwarded-For", "203.0.113.7, 198.51.100.1")]
            )
            #expect(forged.status == 403)
        }
    }

    @Test func argosRouteWithAllowFromAndTokenRequiresBoth() async throws {
        try await Self.withApp { app in
            let body = try Fixtures.load("argos/submit.json").body
            // Allowed address and right token.
            #expect(try await app.post("/webhooks/argos-local-token/tok_0123456789abcdef", body: body).status == 200)
            // Allowed address, no token or a wrong one: the address alone is not enough.
            for path in ["/webhooks/argos-local-token", "/webhooks/argos-local-token/tok_wrong"] {
                let response = try await app.post(path, body: body)
                #expect(response.status == 401, "\(path)")
                #expect(try Self.json(response)["error"] as? String == "invalid_token")
            }
            // Right token from an address outside allowFrom: the token alone is not enough either.
            let outside = try await app.post("/webhooks/argos-remote-token/tok_0123456789abcdef", body: body)
            #expect(outside.status == 403)
            #expect(try Self.json(outside)["error"] as? String == "forbidden")
        }
    }

    @Test func argosEncryptedBodiesThatDoNotDecryptAre400AndNotKept() async throws {
        try await Self.withApp { app in
            let wrongKey = SHA256.hash(Array("not-the-api-key".utf8))
            let plaintext = try Fixtures.load("argos/approved.json").body
            let wrongCiphertext = Base64.encode(try AES256ECB.encrypt(plaintext, key: wrongKey))
            let cases = [
                #"{"data": "\#(wrongCiphertext)"}"#,
                #"{"data": "!!!not base64!!!"}"#,
                #"{"data": "QUJD"}"#,
                String(decoding: plaintext, as: UTF8.self),
            ]
            for body in cases {
                let response = try await app.post("/webhooks/argos-encrypted", body: Array(body.utf8))
                #expect(response.status == 400, "\(body.prefix(20))")
                #expect(try Self.json(response)["error"] as? String == "invalid_payload")
            }
            let rejected = try await app.application.inbox.listEvents(EventQuery(status: "rejected", limit: 10))
            #expect(rejected.isEmpty, "a body that does not decrypt on a decrypt-only route is not authentic")
        }
    }

    @Test func authenticBodiesThatFailToDecodeAreKeptForReview() async throws {
        try await Self.withApp { app in
            let notJSON = Array("{\"event\": \"kyc.validation_approved\", ".utf8)
            let gu1 = try await app.post(
                "/webhooks/gu1",
                body: notJSON,
                headers: [("X-Webhook-Signature", Self.sign(notJSON))]
            )
            #expect(gu1.status == 400)
            #expect(try Self.json(gu1)["error"] as? String == "invalid_payload")
            let noSubmission = Array(#"{"webhook_trigger": "approved"}"#.utf8)
            let argos = try await app.post("/webhooks/argos/tok_0123456789abcdef", body: noSubmission)
            #expect(argos.status == 400)
            // Authentic by its token, then fails to decrypt: kept too.
            let encrypted = try await app.post(
                "/webhooks/argos-token-encrypted/tok_0123456789abcdef",
                body: Array(#"{"data": "QUJD"}"#.utf8)
            )
            #expect(encrypted.status == 400)
            let rejected = try await app.application.inbox.listEvents(EventQuery(status: "rejected", limit: 10))
            #expect(rejected.count == 3)
            #expect(
                Set(rejected.map(\.route)) == ["/webhooks/gu1", "/webhooks/argos", "/webhooks/argos-token-encrypted"]
            )
        }
    }

    @Test func unknownPathAndMethod() async throws {
        try await Self.withApp { app in
            #expect(try await app.post("/webhooks/nope", body: []).status == 404)
            let wrongMethod = try await app.get("/webhooks/gu1")
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.header("Allow") == "POST")
            #expect(try await app.get("/healthz").status == 200)
            #expect(try await app.get("/readyz").status == 200)
        }
    }

    // MARK: Store failures

    /// A signed Gu1 body of a new event each time.
    static func uniqueBody(_ index: Int) -> [UInt8] {
        let padding = String(repeating: "x", count: 2000)
        return Array(
            """
            {"event":"kyc.validation_created","timestamp":"2025-01-07T10:00:00Z","organizationId":"org-1",\
            "payload":{"id":"sub-\(index)","entityId":"ent-1","status":"created","note":"\(padding)"}}
            """.utf8
        )
    }

    @Test func fullDiskIs503WithRetryAfterAndTheStoreRecovers() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kyc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let inbox = try SQLiteInbox(path: directory.appendingPathComponent("store.sqlite3").path)
        try await Self.withApp(inbox: inbox) { app in
            // The "disk" is full at its current size: SQLITE_FULL, exactly as on a full file system.
            _ = try await inbox.setMaxPageCount(try await inbox.pageCount())
            var refusedBody: [UInt8]?
            var refused: LoopbackResponse?
            for index in 0..<200 {
                let body = Self.uniqueBody(index)
                let response = try await app.post(
                    "/webhooks/gu1",
                    body: body,
                    headers: [("X-Webhook-Signature", Self.sign(body))]
                )
                if response.status != 200 {
                    refusedBody = body
                    refused = response
                    break
                }
            }
            let full = try #require(refused)
            let body = try #require(refusedBody)
            #expect(full.status == 503)
            #expect(full.header("Retry-After") != nil)
            #expect(try Self.json(full)["error"] as? String == "unavailable")
            #expect(try await app.get("/healthz").status == 200)
            _ = try await inbox.setMaxPageCount(1_000_000)
            let recovered = try await app.post(
                "/webhooks/gu1",
                body: body,
                headers: [("X-Webhook-Signature", Self.sign(body))]
            )
            #expect(recovered.status == 200)
            #expect(try Self.json(recovered)["status"] as? String == "accepted", "the 503'd event was not recorded")
            #expect(app.application.metrics.render().contains("kyc_webhooks_store_commit_failures_total 1"))
        }
    }

    // MARK: Personal data

    @Test func logsAndMetricsCarryNoPersonalData() async throws {
        try await Self.withApp { app in
            for fixture in try Fixtures.all() {
                let (path, headers) = Self.request(for: fixture)
                _ = try await app.post(path, body: fixture.body, headers: headers)
            }
            // Failures log too: a bad body with personal values in it.
            let bad = Array(#"{"event": "kyc.validation_approved", "payload": {"firstName": "Zebulon"}"#.utf8)
            _ = try await app.post("/webhooks/gu1", body: bad, headers: [("X-Webhook-Signature", Self.sign(bad))])
            await app.stop()
            let text = app.logs.text + app.application.metrics.render()
            let values = try Fixtures.personalValues()
            #expect(values.count > 10, "the scan must have values to look for")
            for value in values.sorted() {
                #expect(!text.contains(value), "personal value \(value) found in logs or metrics")
            }
            #expect(!text.contains("Zebulon"))
            for secret in Self.environment.values {
                #expect(!text.contains(secret), "secret found in logs or metrics")
            }
        }
    }
}
