/// One time series of a metric family: a counter, a gauge or a histogram with one set of label values.
///
/// Series are reference types: a component resolves the series it updates once (at startup, or when it
/// builds its route table) and then updates it without any lookup on the hot path.
public protocol MetricSeries: AnyObject, Sendable {
    /// The `# TYPE` of a family of such series: `counter`, `gauge` or `histogram`.
    static var prometheusType: String { get }

    /// Appends this series' sample lines in the text format 0.0.4.
    ///
    /// - Parameters:
    ///   - name: the family's metric name.
    ///   - labels: the series' label pairs already escaped, without braces (`route="/x",status="200"`),
    ///     or empty when the family has no labels.
    ///   - output: where the lines go, each ending with `\n`.
    func appendSamples(name: String, labels: String, to output: inout String)
}

extension MetricSeries {
    /// Appends `name{labels} value\n`, leaving out the braces when there are no labels.
    static func appendSample(name: String, labels: String, value: String, to output: inout String) {
        output += name
        if !labels.isEmpty {
            output += "{"
            output += labels
            output += "}"
        }
        output += " "
        output += value
        output += "\n"
    }
}
