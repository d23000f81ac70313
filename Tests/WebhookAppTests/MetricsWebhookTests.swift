import Foundation
import Testing
import WebhookApp
import WebhookStore
import WebhookTesting

@Suite struct MetricsWebhookTests {
    /// A WebhookMetrics with a value in every family, as a running daemon would have.
    static func populated() -> WebhookMetrics {
        let metrics = WebhookMetrics(
            version: "1.2.3",
            routes: ["/webhooks/gu1", "/webhooks/argos"],
            handlers: ["audit", "crm"]
        )
        let gu1 = metrics.route("/webhooks/gu1")
        gu1.recordRequest(status: 200, duration: .milliseconds(3))
        gu1.recordRequest(status: 401, duration: .microseconds(400))
        metrics.recordRequest(route: "/webhooks/argos", status: 200, duration: .milliseconds(40))
        metrics.recordRequest(route: "/metrics", status: 200, duration: .microseconds(90))
        metrics.recordSignatureFailure(route: "/webhooks/gu1")
        metrics.recordTokenFailure(route: "/webhooks/argos")
        metrics.recordForbidden(route: "/webhooks/argos")
        metrics.recordDuplicate(route: "/webhooks/gu1")
        metrics.recordEventTypeMismatch(route: "/webhooks/gu1")
        metrics.recordEvent(type: "kyc.validation_approved")
        metrics.recordEvent(type: "argos.approved")
        metrics.recordDelivery(handler: "audit", result: .succeeded)
        metrics.recordDelivery(handler: "crm", result: .failed)
        metrics.recordDelivery(handler: "crm", result: .dead)
        metrics.recordStoreCommitFailure()
        metrics.setQueueDepth(QueueDepth(due: 4, running: 2, dead: 1))
        metrics.recordStoreFault(.full)
        return metrics
    }

    /// The populated registry passes `promtool check metrics` with no complaint at all (syntax and lint).
    /// promtool must be installed (Debian package `prometheus`): a missing promtool fails the test.
    @Test func renderedMetricsPassPromtool() throws {
        let promtool = try #require(
            Self.findExecutable("promtool"),
            "promtool is not on PATH: install the prometheus package"
        )
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("metrics.txt")
        try Data(Self.populated().render().utf8).write(to: file)

        let result = try ChildProcess.run(
            promtool,
            ["check", "metrics"],
            standardInput: Array(try Data(contentsOf: file))
        )
        let report = result.standardOutput + result.standardError
        #expect(result.status == 0, "promtool: \(report)")
        #expect(report.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "promtool: \(report)")
    }

    /// The families and values the populated registry must expose.
    @Test func exposesEveryFamily() {
        let text = Self.populated().render()
        let expectedLines = [
            #"kyc_webhooks_http_requests_total{route="/webhooks/gu1",status="200"} 1"#,
            #"kyc_webhooks_http_requests_total{route="/webhooks/gu1",status="401"} 1"#,
            #"kyc_webhooks_http_requests_total{route="/metrics",status="200"} 1"#,
            #"kyc_webhooks_http_request_duration_seconds_bucket{route="/webhooks/gu1",le="0.0005"} 1"#,
            #"kyc_webhooks_http_request_duration_seconds_bucket{route="/webhooks/gu1",le="0.005"} 2"#,
            #"kyc_webhooks_http_request_duration_seconds_count{route="/webhooks/argos"} 1"#,
            #"kyc_webhooks_signature_failures_total{route="/webhooks/gu1"} 1"#,
            #"kyc_webhooks_signature_failures_total{route="/webhooks/argos"} 0"#,
            #"kyc_webhooks_token_failures_total{route="/webhooks/argos"} 1"#,
            #"kyc_webhooks_forbidden_total{route="/webhooks/argos"} 1"#,
            #"kyc_webhooks_duplicates_total{route="/webhooks/gu1"} 1"#,
            #"kyc_webhooks_event_type_mismatches_total{route="/webhooks/gu1"} 1"#,
            #"kyc_webhooks_events_total{type="kyc.validation_approved"} 1"#,
            #"kyc_webhooks_events_total{type="argos.approved"} 1"#,
            #"kyc_webhooks_deliveries_total{handler="audit",result="succeeded"} 1"#,
            #"kyc_webhooks_deliveries_total{handler="audit",result="dead"} 0"#,
            #"kyc_webhooks_deliveries_total{handler="crm",result="failed"} 1"#,
            #"kyc_webhooks_deliveries_total{handler="crm",result="dead"} 1"#,
            #"kyc_webhooks_queue_depth{state="due"} 4"#,
            #"kyc_webhooks_queue_depth{state="dead"} 1"#,
            #"kyc_webhooks_queue_depth{state="running"} 2"#,
            #"kyc_webhooks_store_errors_total{kind="full"} 1"#,
            #"kyc_webhooks_store_ready 1"#,
            #"kyc_webhooks_store_commit_failures_total 1"#,
            #"kyc_webhooks_build_info{version="1.2.3"} 1"#,
            "# TYPE kyc_webhooks_http_request_duration_seconds histogram",
            "# TYPE kyc_webhooks_queue_depth gauge",
        ]
        let lines = Set(text.split(separator: "\n").map(String.init))
        for line in expectedLines {
            #expect(lines.contains(line), "missing: \(line)")
        }
    }

    /// The route label is the configured path: a request target that matched no route (here one carrying
    /// a token in its last segment) is counted as `unmatched`, and its text never reaches the scrape.
    @Test func unknownRoutesAreCountedAsUnmatched() {
        let metrics = WebhookMetrics(version: "1", routes: ["/webhooks/argos"], handlers: [])
        metrics.recordRequest(route: "/webhooks/argos/s3cr3t-token-value", status: 404, duration: .zero)
        metrics.recordSignatureFailure(route: "/x?token=abc")
        let text = metrics.render()
        #expect(metrics.route("/somewhere").label == WebhookMetrics.unmatchedRoute)
        #expect(text.contains(#"kyc_webhooks_http_requests_total{route="unmatched",status="404"} 1"#))
        #expect(text.contains(#"kyc_webhooks_signature_failures_total{route="unmatched"} 1"#))
        #expect(!text.contains("s3cr3t"))
        #expect(!text.contains("abc"))
    }

    /// Configured routes show their zero series from startup; operational endpoints and `unmatched` only
    /// get the series they use, so the scrape carries no series that can never move.
    @Test func onlyConfiguredRoutesArePreCreated() {
        let metrics = WebhookMetrics(version: "1", routes: ["/webhooks/gu1"], handlers: [])
        metrics.recordRequest(route: "/healthz", status: 200, duration: .microseconds(50))
        let text = metrics.render()
        #expect(text.contains(#"kyc_webhooks_signature_failures_total{route="/webhooks/gu1"} 0"#))
        #expect(text.contains(#"kyc_webhooks_http_request_duration_seconds_count{route="/webhooks/gu1"} 0"#))
        #expect(text.contains(#"kyc_webhooks_http_requests_total{route="/healthz",status="200"} 1"#))
        #expect(text.contains(#"kyc_webhooks_http_request_duration_seconds_count{route="/healthz"} 1"#))
        #expect(!text.contains(#"kyc_webhooks_signature_failures_total{route="/healthz"}"#))
        #expect(!text.contains(#"route="unmatched""#))
        #expect(!text.contains(#"route="/readyz""#))
    }

    /// Event types are capped: after the limit, and for any type outside `[A-Za-z0-9._-]{1,64}`, `other`.
    @Test func eventTypesAreBoundedAndSanitized() {
        let metrics = WebhookMetrics(version: "1", routes: [], handlers: [], eventTypeLimit: 3)
        metrics.recordEvent(type: "kyc.validation_approved")
        metrics.recordEvent(type: "john.doe@example.com")
        metrics.recordEvent(type: "bad\"} 1\nkyc_webhooks_build_info{version=\"x")
        metrics.recordEvent(type: String(repeating: "a", count: 65))
        metrics.recordEvent(type: "")
        for index in 0..<20 {
            metrics.recordEvent(type: "vendor.type_\(index)")
        }
        let events = metrics.render().split(separator: "\n").filter { $0.hasPrefix("kyc_webhooks_events_total") }
        #expect(
            events == [
                #"kyc_webhooks_events_total{type="kyc.validation_approved"} 1"#,
                #"kyc_webhooks_events_total{type="other"} 23"#,
                #"kyc_webhooks_events_total{type="vendor.type_0"} 1"#,
            ]
        )
    }

    /// Status codes are a bounded vocabulary: anything outside 100...599 is `other`.
    @Test func statusCodesOutsideHTTPRangeAreOther() {
        let metrics = WebhookMetrics(version: "1", routes: ["/r"], handlers: [])
        let route = metrics.route("/r")
        route.requests(status: 1000).increment()
        route.requests(status: -1).increment()
        route.requests(status: 503).increment()
        #expect(route.requests(status: 503) === route.requests(status: 503))
        let text = metrics.render()
        #expect(text.contains(#"kyc_webhooks_http_requests_total{route="/r",status="other"} 2"#))
        #expect(text.contains(#"kyc_webhooks_http_requests_total{route="/r",status="503"} 1"#))
    }

    /// Deliveries for a handler that was not configured are counted under `other`.
    @Test func unknownHandlersAreOther() {
        let metrics = WebhookMetrics(version: "1", routes: [], handlers: ["audit"])
        metrics.recordDelivery(handler: "ghost", result: .failed)
        #expect(metrics.render().contains(#"kyc_webhooks_deliveries_total{handler="other",result="failed"} 1"#))
    }

    /// Queue gauges can be callbacks read at each scrape.
    @Test func queueDepthProvidersAreReadAtScrape() {
        let metrics = WebhookMetrics(version: "1", routes: [], handlers: [])
        let due = Counter()
        metrics.queueDue.setProvider { Double(due.value) }
        due.increment(by: 12)
        #expect(metrics.render().contains(#"kyc_webhooks_queue_depth{state="due"} 12"#))
    }

    static func findExecutable(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}
