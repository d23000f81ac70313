import Synchronization

/// A thread-safe registry of metric families, rendered for `GET /metrics` in the Prometheus text format 0.0.4.
///
/// Register families at startup, resolve the series you update, and keep them; rendering takes a consistent
/// copy of the family list and sorts families by name and series by label values, so the output order is
/// stable from scrape to scrape.
///
/// ```swift
/// let metrics = Metrics()
/// let requests = metrics.counter("app_requests_total", help: "Requests.", labelNames: ["route"])
/// let gu1 = requests.labels("/webhooks/gu1")   // once
/// gu1.increment()                               // per request: one atomic add
/// let text = metrics.render()
/// ```
///
/// Label values must come from configuration or bounded vocabularies, never from request data: a label never
/// carries personal data or a secret (docs/reference.md §7).
public final class Metrics: Sendable {
    /// The `Content-Type` of a `GET /metrics` response.
    public static let contentType = PrometheusText.contentType

    private let families = Mutex<[String: any ExposedFamily]>([:])

    /// An empty registry.
    public init() {}

    /// Registers a counter family, or returns the one already registered under `name` with the same labels.
    ///
    /// - Parameters:
    ///   - name: the metric name; counters end in `_total`.
    ///   - help: one sentence for `# HELP`.
    ///   - labelNames: the label names, in the order ``MetricFamily/labels(_:)`` takes values.
    ///   - seriesLimit: at most this many label sets, then `overflowLabelValues`; nil for no limit.
    ///   - overflowLabelValues: the label values that collect everything beyond the limit.
    public func counter(
        _ name: String,
        help: String,
        labelNames: [String] = [],
        seriesLimit: Int? = nil,
        overflowLabelValues: [String]? = nil
    ) -> MetricFamily<Counter> {
        register(
            MetricFamily(
                name: name,
                help: help,
                labelNames: labelNames,
                seriesLimit: seriesLimit,
                overflowLabelValues: overflowLabelValues,
                makeSeries: { Counter() }
            )
        )
    }

    /// Registers a gauge family, or returns the one already registered under `name` with the same labels.
    ///
    /// A gauge series is either set by the app or given a provider that is called at every scrape
    /// (``Gauge/setProvider(_:)``).
    public func gauge(_ name: String, help: String, labelNames: [String] = []) -> MetricFamily<Gauge> {
        register(
            MetricFamily(
                name: name,
                help: help,
                labelNames: labelNames,
                seriesLimit: nil,
                overflowLabelValues: nil,
                makeSeries: { Gauge() }
            )
        )
    }

    /// Registers a histogram family with fixed buckets, or returns the one already registered under `name`.
    ///
    /// - Parameters:
    ///   - buckets: finite, strictly ascending upper bounds; `+Inf` is added.
    public func histogram(
        _ name: String,
        help: String,
        labelNames: [String] = [],
        buckets: [Double]
    ) -> MetricFamily<Histogram> {
        register(
            MetricFamily(
                name: name,
                help: help,
                labelNames: labelNames,
                seriesLimit: nil,
                overflowLabelValues: nil,
                makeSeries: { Histogram(upperBounds: buckets) }
            )
        )
    }

    /// The whole registry in the text format 0.0.4: for each family (by name) `# HELP`, `# TYPE`, then its
    /// samples (by label values); histograms as cumulative `_bucket{le=…}` lines up to `+Inf`, `_sum`, `_count`.
    public func render() -> String {
        let families = self.families.withLock { families in
            families.values.sorted { $0.name < $1.name }
        }
        var output = ""
        output.reserveCapacity(4096)
        for family in families {
            family.appendExposition(to: &output)
        }
        return output
    }

    /// Adds `family` unless one with its name exists; registering a name twice with another type or other
    /// labels is a programmer error.
    private func register<Series>(_ family: MetricFamily<Series>) -> MetricFamily<Series> {
        families.withLock { families in
            if let existing = families[family.name] {
                guard let same = existing as? MetricFamily<Series>, same.labelNames == family.labelNames else {
                    preconditionFailure(
                        "metric \(family.name) is already registered as another type or with other labels"
                    )
                }
                return same
            }
            for suffix in ["_bucket", "_sum", "_count"] where family.name.hasSuffix(suffix) {
                // A histogram's own sample names would collide with such a family.
                let base = String(family.name.dropLast(suffix.count))
                precondition(
                    families[base]?.typeName != "histogram",
                    "metric \(family.name) collides with histogram \(base)"
                )
            }
            families[family.name] = family
            return family
        }
    }
}
