import Synchronization

/// A value that goes up and down (a Prometheus gauge series): set by the app, or read from a provider
/// closure at scrape time (a callback gauge, such as a queue depth the store knows).
public final class Gauge: MetricSeries {
    public static var prometheusType: String { "gauge" }

    /// The value's bit pattern, so that a `Double` can live in an atomic.
    private let bits = Atomic<UInt64>(0.0.bitPattern)
    /// When set, read at every scrape instead of `bits`.
    private let provider = Mutex<(@Sendable () -> Double)?>(nil)

    /// A gauge at zero. Usually obtained from a ``MetricFamily`` rather than created directly.
    public init() {}

    /// Sets the value (and removes any provider).
    public func set(_ value: Double) {
        provider.withLock { $0 = nil }
        bits.store(value.bitPattern, ordering: .relaxed)
    }

    /// Sets the value from an integer.
    public func set(_ value: Int) {
        set(Double(value))
    }

    /// Adds `delta` (which may be negative) to the stored value.
    public func add(_ delta: Double) {
        var current = bits.load(ordering: .relaxed)
        while true {
            let next = (Double(bitPattern: current) + delta).bitPattern
            let (exchanged, original) = bits.compareExchange(
                expected: current,
                desired: next,
                ordering: .relaxed
            )
            if exchanged { return }
            current = original
        }
    }

    /// Makes this a callback gauge: `provider` is called at every scrape (outside of any registry lock) and
    /// its result is the value. It must be quick, must not block, and must not render the registry.
    public func setProvider(_ provider: @escaping @Sendable () -> Double) {
        self.provider.withLock { $0 = provider }
    }

    /// The current value: the provider's answer if there is one, else the stored value.
    public var value: Double {
        if let provider = provider.withLock({ $0 }) {
            return provider()
        }
        return Double(bitPattern: bits.load(ordering: .relaxed))
    }

    public func appendSamples(name: String, labels: String, to output: inout String) {
        Self.appendSample(name: name, labels: labels, value: PrometheusText.formatValue(value), to: &output)
    }
}
