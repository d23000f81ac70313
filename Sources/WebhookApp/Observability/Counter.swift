import Synchronization

/// A monotonically increasing count (a Prometheus counter series), updated with one relaxed atomic add.
public final class Counter: MetricSeries {
    public static var prometheusType: String { "counter" }

    private let count = Atomic<UInt64>(0)

    /// A counter at zero. Usually obtained from a ``MetricFamily`` rather than created directly.
    public init() {}

    /// Adds `amount` (1 by default).
    public func increment(by amount: UInt64 = 1) {
        count.wrappingAdd(amount, ordering: .relaxed)
    }

    /// The current count.
    public var value: UInt64 {
        count.load(ordering: .relaxed)
    }

    public func appendSamples(name: String, labels: String, to output: inout String) {
        Self.appendSample(name: name, labels: labels, value: String(value), to: &output)
    }
}
