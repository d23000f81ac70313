import Synchronization

/// All series of one metric: a name, a help text, label names, and one series per distinct label values.
///
/// Look a series up once and keep it (``labels(_:)`` takes a lock and hashes the values); the hot path
/// then only touches the series' atomic or its short lock.
///
/// A family can bound its cardinality: with a `seriesLimit`, once that many label sets exist, every new one
/// is counted in the `overflowLabelValues` series instead (for example `type="other"`), so a sender
/// inventing event names cannot grow the scrape without limit.
public final class MetricFamily<Series: MetricSeries>: Sendable {
    public let name: String
    public let help: String
    public let labelNames: [String]
    /// At most this many distinct label sets, plus the overflow one; nil for no limit.
    public let seriesLimit: Int?
    /// Where label sets beyond ``seriesLimit`` go.
    public let overflowLabelValues: [String]?

    private struct Entry: Sendable {
        let series: Series
        /// Escaped `name="value",…` pairs, computed once when the series is created.
        let renderedLabels: String
    }

    private let makeSeries: @Sendable () -> Series
    private let table = Mutex<[[String]: Entry]>([:])

    init(
        name: String,
        help: String,
        labelNames: [String],
        seriesLimit: Int?,
        overflowLabelValues: [String]?,
        makeSeries: @escaping @Sendable () -> Series
    ) {
        precondition(PrometheusText.isValidMetricName(name), "invalid metric name \(name)")
        precondition(labelNames.allSatisfy(PrometheusText.isValidLabelName), "invalid label name in \(labelNames)")
        precondition(Set(labelNames).count == labelNames.count, "repeated label name in \(labelNames)")
        precondition(
            seriesLimit == nil || overflowLabelValues?.count == labelNames.count,
            "a limit needs overflow values"
        )
        self.name = name
        self.help = help
        self.labelNames = labelNames
        self.seriesLimit = seriesLimit
        self.overflowLabelValues = overflowLabelValues
        self.makeSeries = makeSeries
    }

    /// The series for these label values (one per label name, in order), created at its zero value on first
    /// use; beyond ``seriesLimit``, the overflow series.
    public func labels(_ values: String...) -> Series {
        labels(values)
    }

    /// The series for these label values (one per label name, in order), created at its zero value on first
    /// use; beyond ``seriesLimit``, the overflow series.
    public func labels(_ values: [String]) -> Series {
        precondition(values.count == labelNames.count, "\(name) takes \(labelNames.count) label values")
        return table.withLock { table in
            if let entry = table[values] { return entry.series }
            if let seriesLimit, let overflow = overflowLabelValues, table.count >= seriesLimit {
                if let entry = table[overflow] { return entry.series }
                return insert(overflow, into: &table)
            }
            return insert(values, into: &table)
        }
    }

    /// The number of distinct label sets (series) so far.
    public var seriesCount: Int {
        table.withLock { $0.count }
    }

    private func insert(_ values: [String], into table: inout [[String]: Entry]) -> Series {
        let entry = Entry(
            series: makeSeries(),
            renderedLabels: PrometheusText.labelPairs(names: labelNames, values: values)
        )
        table[values] = entry
        return entry.series
    }
}

/// What the registry needs of a family, whatever its series type.
protocol ExposedFamily: AnyObject, Sendable {
    var name: String { get }
    var labelNames: [String] { get }
    var typeName: String { get }
    /// Appends `# HELP`, `# TYPE` and every series' samples, series sorted by label values.
    func appendExposition(to output: inout String)
}

extension MetricFamily: ExposedFamily {
    var typeName: String { Series.prometheusType }

    func appendExposition(to output: inout String) {
        output += "# HELP \(name) \(PrometheusText.escapeHelp(help))\n"
        output += "# TYPE \(name) \(Series.prometheusType)\n"
        // Copy the entries out, then render without the lock: a gauge's provider runs during rendering.
        let entries = table.withLock { table in Array(table) }
        for (_, entry) in entries.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            entry.series.appendSamples(name: name, labels: entry.renderedLabels, to: &output)
        }
    }
}
