import Synchronization

/// The series of one route: resolved once (``WebhookMetrics/route(_:)``), then updated without lookups,
/// except a small integer-keyed cache for the status code.
///
/// For a configured webhook route every series exists from startup (so a scrape shows its zeros). For an
/// operational endpoint and for ``WebhookMetrics/unmatchedRoute`` a series is created the first time it is
/// used, which keeps the scrape free of series that never move (no signature failures on `/healthz`).
public struct RouteMetrics: Sendable {
    /// The `route` label: a configured path, an operational endpoint, or ``WebhookMetrics/unmatchedRoute``.
    public let label: String
    private let durationSeries: SeriesHandle<Histogram>
    private let signatureFailureSeries: SeriesHandle<Counter>
    private let tokenFailureSeries: SeriesHandle<Counter>
    private let forbiddenSeries: SeriesHandle<Counter>
    private let duplicateSeries: SeriesHandle<Counter>
    private let mismatchSeries: SeriesHandle<Counter>
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

    /// - Parameters:
    ///   - isEager: create every series now (configured webhook routes) rather than on first use.
    init(label: String, families: Families, isEager: Bool) {
        self.label = label
        self.durationSeries = SeriesHandle(family: families.duration, labels: [label], isEager: isEager)
        self.signatureFailureSeries = SeriesHandle(
            family: families.signatureFailures,
            labels: [label],
            isEager: isEager
        )
        self.tokenFailureSeries = SeriesHandle(family: families.tokenFailures, labels: [label], isEager: isEager)
        self.forbiddenSeries = SeriesHandle(family: families.forbidden, labels: [label], isEager: isEager)
        self.duplicateSeries = SeriesHandle(family: families.duplicates, labels: [label], isEager: isEager)
        self.mismatchSeries = SeriesHandle(family: families.eventTypeMismatches, labels: [label], isEager: isEager)
        self.statuses = StatusCounters(route: label, family: families.requests)
    }

    /// Request durations in seconds.
    public var duration: Histogram { durationSeries.series }
    /// Requests refused for a missing or wrong signature.
    public var signatureFailures: Counter { signatureFailureSeries.series }
    /// Requests refused for a missing or wrong token.
    public var tokenFailures: Counter { tokenFailureSeries.series }
    /// Requests refused because of their source address.
    public var forbidden: Counter { forbiddenSeries.series }
    /// Events whose key was already recorded.
    public var duplicates: Counter { duplicateSeries.series }
    /// Requests whose `X-Webhook-Event` disagreed with the body.
    public var eventTypeMismatches: Counter { mismatchSeries.series }

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

/// One series of a family, resolved at once or on first use.
///
/// `Sendable` through its `Mutex`; an eager handle never takes it.
final class SeriesHandle<Series: MetricSeries>: Sendable {
    private let eager: Series?
    private let family: MetricFamily<Series>
    private let labels: [String]
    private let lazy = Mutex<Series?>(nil)

    init(family: MetricFamily<Series>, labels: [String], isEager: Bool) {
        self.family = family
        self.labels = labels
        self.eager = isEager ? family.labels(labels) : nil
    }

    var series: Series {
        if let eager { return eager }
        return lazy.withLock { resolved in
            if let resolved { return resolved }
            let series = family.labels(labels)
            resolved = series
            return series
        }
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
