import Synchronization

/// The series of one route: resolved once (``WebhookMetrics/route(_:)``), then updated without lookups,
/// except a small integer-keyed cache for the status code.
public struct RouteMetrics: Sendable {
    /// The `route` label: a configured path, an operational endpoint, or ``WebhookMetrics/unmatchedRoute``.
    public let label: String
    /// Request durations in seconds.
    public let duration: Histogram
    public let signatureFailures: Counter
    public let tokenFailures: Counter
    public let forbidden: Counter
    public let duplicates: Counter
    public let eventTypeMismatches: Counter
    private let statuses: StatusCounters

    /// The families a route's series belong to.
    struct Families: Sendable {
        let requests: MetricFamily<Counter>
        let duration: MetricFamily<Histogram>
        let signatureFailures: MetricFamily<Counter>
        let tokenFailures: MetricFamily<Counter>
        let forbidden: MetricFamily<Counter>
        let duplicates: MetricFamily<Counter>
        let eventTypeMismatches: MetricFamily<Counter>
    }

    init(label: String, families: Families) {
        self.label = label
        self.duration = families.duration.labels(label)
        self.signatureFailures = families.signatureFailures.labels(label)
        self.tokenFailures = families.tokenFailures.labels(label)
        self.forbidden = families.forbidden.labels(label)
        self.duplicates = families.duplicates.labels(label)
        self.eventTypeMismatches = families.eventTypeMismatches.labels(label)
        self.statuses = StatusCounters(route: label, family: families.requests)
    }

    /// The request counter for `status` on this route (codes outside 100...599 are counted as `other`).
    public func requests(status: Int) -> Counter {
        statuses.counter(for: status)
    }

    /// Counts one answered request and observes its duration.
    public func recordRequest(status: Int, duration: Duration) {
        requests(status: status).increment()
        self.duration.observe(duration)
    }
}

/// One route's request counters by status code, cached by the integer code so that counting a request
/// builds no string and hashes no label array.
///
/// A class so that every copy of a ``RouteMetrics`` shares the cache; `Sendable` through its `Mutex`.
final class StatusCounters: Sendable {
    private let route: String
    private let family: MetricFamily<Counter>
    private let cache = Mutex<[Int: Counter]>([:])

    init(route: String, family: MetricFamily<Counter>) {
        self.route = route
        self.family = family
    }

    func counter(for status: Int) -> Counter {
        let code = (100...599).contains(status) ? status : 0
        if let counter = cache.withLock({ $0[code] }) { return counter }
        let counter = family.labels(route, code == 0 ? "other" : String(code))
        cache.withLock { $0[code] = counter }
        return counter
    }
}
