public import WebhookStore

/// The metrics kyc-webhooks exposes on `GET /metrics` (docs/reference.md §4), with named methods for each thing it counts.
///
/// Every label value comes from configuration (route paths, handler names, the version) or from a bounded
/// vocabulary (HTTP status codes, delivery results, queue states, event types under a cap), never from
/// request data, so no label can carry personal data or a secret (docs/reference.md §7). In particular the route label is
/// the configured path, never the request target (an ARGOS token can be the last path segment).
///
/// | family | type | labels |
/// | --- | --- | --- |
/// | `kyc_webhooks_http_requests_total` | counter | `route`, `status` |
/// | `kyc_webhooks_http_request_duration_seconds` | histogram | `route` |
/// | `kyc_webhooks_signature_failures_total` | counter | `route` |
/// | `kyc_webhooks_token_failures_total` | counter | `route` |
/// | `kyc_webhooks_forbidden_total` | counter | `route` |
/// | `kyc_webhooks_duplicates_total` | counter | `route` |
/// | `kyc_webhooks_event_type_mismatches_total` | counter | `route` |
/// | `kyc_webhooks_events_total` | counter | `type` (capped, then `other`) |
/// | `kyc_webhooks_deliveries_total` | counter | `handler`, `result` |
/// | `kyc_webhooks_queue_depth` | gauge | `state` (`due`, `running`, `dead`) |
/// | `kyc_webhooks_store_commit_failures_total` | counter | |
/// | `kyc_webhooks_store_reconnects_total` | counter | |
/// | `kyc_webhooks_store_pool_connections` | gauge | |
/// | `kyc_webhooks_store_pool_waiting` | gauge | |
/// | `kyc_webhooks_store_errors_total` | counter | `kind` (`damaged`, `io_error`, `full`, `busy`, `unavailable`, `other`) |
/// | `kyc_webhooks_store_ready` | gauge | |
/// | `kyc_webhooks_http_connections_open` | gauge | |
/// | `kyc_webhooks_http_connections_refused_total` | counter | `reason` (`limit`, `resources`) |
/// | `kyc_webhooks_build_info` | gauge | `version` |
///
/// ```swift
/// let metrics = WebhookMetrics(version: "1.0.0", routes: ["/webhooks/gu1"], handlers: ["audit"])
/// let gu1 = metrics.route("/webhooks/gu1")        // once, when the router is built
/// gu1.recordRequest(status: 200, duration: .milliseconds(3))
/// metrics.queueDue.setProvider { Double(inbox.cachedDueCount) }
/// let body = metrics.render()
/// ```
public struct WebhookMetrics: Sendable {
    /// Request duration buckets in seconds, from 0.5 ms to 10 s.
    public static let requestDurationBuckets: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]
    /// The route label of requests that matched no configured route.
    public static let unmatchedRoute = "unmatched"
    /// The label that collects event types beyond the cap, and malformed ones.
    public static let otherEventType = "other"
    /// The label of deliveries for a handler name that was not configured at startup.
    public static let otherHandler = "other"
    /// The operational endpoints, counted under their own paths in addition to the configured routes (their
    /// series appear once used).
    public static let operationalRoutes = ["/healthz", "/readyz", "/metrics"]
    /// Distinct event types counted by name before the rest become ``otherEventType``.
    public static let defaultEventTypeLimit = 100
    /// The longest event type counted by name.
    public static let maximumEventTypeLength = 64

    /// How a delivery attempt ended.
    public enum DeliveryResult: String, Sendable, CaseIterable {
        /// The handler succeeded; the delivery is done.
        case succeeded
        /// The handler failed; the delivery will be retried.
        case failed
        /// The handler failed for the last time; the delivery is dead until replayed.
        case dead
    }

    /// The underlying registry, to add more families or to render.
    public let registry: Metrics
    /// Deliveries waiting to run: set it, or give it a provider read at each scrape.
    public let queueDue: Gauge
    /// Dead deliveries waiting for a replay: set it, or give it a provider read at each scrape.
    public let queueDead: Gauge
    public let queueRunning: Gauge
    /// 1 while the store can commit (what `/readyz` last found, or the last commit), else 0.
    public let storeReady: Gauge
    private let storeErrors: [StoreFault.Kind: Counter]
    /// Failed commits of the store (the request got a 503).
    public let storeCommitFailures: Counter
    /// Connections to the database server opened again after one was lost (postgres).
    public let storeReconnects: Counter
    /// The store's connections to its database server (postgres): give it a provider.
    public let storePoolConnections: Gauge
    /// Records and operations waiting for one of them now (postgres): give it a provider.
    public let storePoolWaiting: Gauge
    /// Connections open now: give it a provider read at each scrape.
    public let connectionsOpen: Gauge
    /// Connections closed at once because `limits.maxConnections` were open.
    public let connectionsRefusedOverLimit: Counter
    /// Times `accept` failed for want of descriptors or memory (the listener pauses, clients wait in the queue).
    public let connectionsRefusedOutOfResources: Counter

    private let routes: [String: RouteMetrics]
    private let unmatched: RouteMetrics
    private let events: MetricFamily<Counter>
    /// Per configured handler, one counter per ``DeliveryResult`` in `allCases` order.
    private let deliveries: [String: [Counter]]
    private let otherDeliveries: [Counter]

    /// Registers every family in `registry` and creates the series of each configured route and handler.
    ///
    /// - Parameters:
    ///   - version: the program's version, for `kyc_webhooks_build_info`.
    ///   - routes: the configured route paths; ``operationalRoutes`` are added.
    ///   - handlers: the configured handler names.
    ///   - registry: where the families go (a fresh registry by default).
    ///   - eventTypeLimit: distinct event types counted by name before the rest become ``otherEventType``.
    public init(
        version: String,
        routes: [String],
        handlers: [String],
        registry: Metrics = Metrics(),
        eventTypeLimit: Int = WebhookMetrics.defaultEventTypeLimit
    ) {
        self.registry = registry
        let requests = registry.counter(
            "kyc_webhooks_http_requests_total",
            help: "HTTP requests answered, by configured route and status code.",
            labelNames: ["route", "status"]
        )
        let duration = registry.histogram(
            "kyc_webhooks_http_request_duration_seconds",
            help: "Time from a complete request head to the response, in seconds, by configured route.",
            labelNames: ["route"],
            buckets: Self.requestDurationBuckets
        )
        let signatureFailures = registry.counter(
            "kyc_webhooks_signature_failures_total",
            help: "Requests refused for a missing or wrong signature, by route.",
            labelNames: ["route"]
        )
        let tokenFailures = registry.counter(
            "kyc_webhooks_token_failures_total",
            help: "Requests refused for a missing or wrong token, by route.",
            labelNames: ["route"]
        )
        let forbidden = registry.counter(
            "kyc_webhooks_forbidden_total",
            help: "Requests refused because the source address is not allowed, by route.",
            labelNames: ["route"]
        )
        let duplicates = registry.counter(
            "kyc_webhooks_duplicates_total",
            help: "Events received again with a key already recorded, by route.",
            labelNames: ["route"]
        )
        let mismatches = registry.counter(
            "kyc_webhooks_event_type_mismatches_total",
            help: "Requests whose X-Webhook-Event header disagreed with the signed body's event type, by route.",
            labelNames: ["route"]
        )
        let families = RouteMetrics.Families(
            requests: requests,
            duration: duration,
            signatureFailures: signatureFailures,
            tokenFailures: tokenFailures,
            forbidden: forbidden,
            duplicates: duplicates,
            eventTypeMismatches: mismatches
        )
        var table: [String: RouteMetrics] = [:]
        for path in routes where table[path] == nil {
            table[path] = RouteMetrics(label: path, families: families, isEager: true)
        }
        for path in Self.operationalRoutes where table[path] == nil {
            table[path] = RouteMetrics(label: path, families: families, isEager: false)
        }
        self.routes = table
        self.unmatched = RouteMetrics(label: Self.unmatchedRoute, families: families, isEager: false)

        self.events = registry.counter(
            "kyc_webhooks_events_total",
            help: "New events recorded, by sender event type (rare types beyond a cap are counted as other).",
            labelNames: ["type"],
            seriesLimit: max(1, eventTypeLimit),
            overflowLabelValues: [Self.otherEventType]
        )

        let deliveryFamily = registry.counter(
            "kyc_webhooks_deliveries_total",
            help: "Delivery attempts to handlers, by handler and result (succeeded, failed, dead).",
            labelNames: ["handler", "result"]
        )
        var deliveries: [String: [Counter]] = [:]
        for handler in handlers where deliveries[handler] == nil {
            deliveries[handler] = DeliveryResult.allCases.map { deliveryFamily.labels(handler, $0.rawValue) }
        }
        self.deliveries = deliveries
        self.otherDeliveries = DeliveryResult.allCases.map { deliveryFamily.labels(Self.otherHandler, $0.rawValue) }

        let queue = registry.gauge(
            "kyc_webhooks_queue_depth",
            help: "Deliveries in the queue, by state: due (pending or retrying), running (claimed, not yet "
                + "recorded as ended) and dead (waiting for a replay).",
            labelNames: ["state"]
        )
        self.queueDue = queue.labels("due")
        self.queueRunning = queue.labels("running")
        self.queueDead = queue.labels("dead")
        let storeErrors = registry.counter(
            "kyc_webhooks_store_errors_total",
            help: "Store operations that failed for a reason of the storage engine, by kind.",
            labelNames: ["kind"]
        )
        self.storeErrors = Dictionary(
            uniqueKeysWithValues: StoreFault.Kind.allCases.map { ($0, storeErrors.labels($0.rawValue)) }
        )
        self.storeReady = registry.gauge(
            "kyc_webhooks_store_ready",
            help: "1 while the store can commit (its last commit or readiness probe succeeded), else 0."
        ).labels()
        self.storeReady.set(1)

        self.storeCommitFailures = registry.counter(
            "kyc_webhooks_store_commit_failures_total",
            help: "Store transactions that failed to commit."
        ).labels()

        self.storeReconnects = registry.counter(
            "kyc_webhooks_store_reconnects_total",
            help: "Connections to the database server opened again after one was lost (postgres)."
        ).labels()

        self.storePoolConnections = registry.gauge(
            "kyc_webhooks_store_pool_connections",
            help: "Connections the store keeps to its database server (postgres; 0 for sqlite)."
        ).labels()
        self.storePoolWaiting = registry.gauge(
            "kyc_webhooks_store_pool_waiting",
            help: "Records and store operations waiting for a database connection now (postgres)."
        ).labels()

        self.connectionsOpen = registry.gauge(
            "kyc_webhooks_http_connections_open",
            help: "Client connections open now."
        ).labels()
        let refused = registry.counter(
            "kyc_webhooks_http_connections_refused_total",
            help: "Connections the listener could not take: limit (limits.maxConnections open, closed at once), "
                + "resources (accept failed for want of file descriptors or memory).",
            labelNames: ["reason"]
        )
        self.connectionsRefusedOverLimit = refused.labels("limit")
        self.connectionsRefusedOutOfResources = refused.labels("resources")

        registry.gauge(
            "kyc_webhooks_build_info",
            help: "Always 1; the version label names the running build.",
            labelNames: ["version"]
        ).labels(version).set(1)
    }

    // MARK: - Requests

    /// The series of one configured route (or of ``unmatchedRoute`` for any other string). Look it up once
    /// per route when building the router, and keep it.
    public func route(_ path: String) -> RouteMetrics {
        routes[path] ?? unmatched
    }

    /// Counts one answered request and its duration.
    public func recordRequest(route path: String, status: Int, duration: Duration) {
        route(path).recordRequest(status: status, duration: duration)
    }

    /// Counts a request refused for a missing or wrong signature (401 `invalid_signature`).
    public func recordSignatureFailure(route path: String) {
        route(path).signatureFailures.increment()
    }

    /// Counts a request refused for a missing or wrong token (401 `invalid_token`).
    public func recordTokenFailure(route path: String) {
        route(path).tokenFailures.increment()
    }

    /// Counts a request refused because of its source address (403).
    public func recordForbidden(route path: String) {
        route(path).forbidden.increment()
    }

    /// Counts an event whose key was already recorded (200 `duplicate`).
    public func recordDuplicate(route path: String) {
        route(path).duplicates.increment()
    }

    /// Counts a request whose `X-Webhook-Event` header disagreed with the body's event type.
    public func recordEventTypeMismatch(route path: String) {
        route(path).eventTypeMismatches.increment()
    }

    // MARK: - Events and deliveries

    /// Counts one newly recorded event by its type.
    ///
    /// A type is counted under its own name only if it is at most ``maximumEventTypeLength`` characters of
    /// `[A-Za-z0-9._-]` and fewer than the cap of distinct types has been seen; otherwise under
    /// ``otherEventType``. Types come from authenticated senders, but this keeps a misbehaving one from
    /// growing the scrape or putting arbitrary text in a label.
    public func recordEvent(type: String) {
        events.labels(Self.isCountableEventType(type) ? type : Self.otherEventType).increment()
    }

    /// Counts one delivery attempt's result for a handler (``otherHandler`` if it was not configured).
    public func recordDelivery(handler: String, result: DeliveryResult) {
        let counters = deliveries[handler] ?? otherDeliveries
        counters[Self.index(of: result)].increment()
    }

    // MARK: - Store and queue

    /// Counts a failed store commit.
    public func recordStoreCommitFailure() {
        storeCommitFailures.increment()
    }

    /// Counts a failure of the storage engine by its kind.
    public func recordStoreFault(_ kind: StoreFault.Kind) {
        storeErrors[kind]?.increment()
    }

    /// Sets the queue gauges (and removes their providers, if any).
    public func setQueueDepth(_ depth: QueueDepth) {
        queueDue.set(depth.due)
        queueRunning.set(depth.running)
        queueDead.set(depth.dead)
    }

    /// The registry in the Prometheus text format 0.0.4, for the body of `GET /metrics`.
    public func render() -> String {
        registry.render()
    }

    // MARK: - Vocabulary checks

    static func isCountableEventType(_ type: String) -> Bool {
        let bytes = type.utf8
        guard !bytes.isEmpty, bytes.count <= maximumEventTypeLength else { return false }
        return bytes.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    private static func index(of result: DeliveryResult) -> Int {
        switch result {
        case .succeeded: return 0
        case .failed: return 1
        case .dead: return 2
        }
    }
}
