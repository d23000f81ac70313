import Synchronization
import SystemSupport

/// Observations counted in fixed buckets (a Prometheus histogram series), with their sum and count.
///
/// One short critical section per observation keeps buckets, sum and count consistent with each other in
/// every scrape.
public final class Histogram: MetricSeries {
    public static var prometheusType: String { "histogram" }

    /// The buckets' inclusive upper bounds, ascending; `+Inf` is implicit.
    public let upperBounds: [Double]

    private struct State {
        /// Non-cumulative: `counts[i]` observations fell in bucket `i`; the last slot is `+Inf`.
        var counts: [UInt64]
        var sum: Double
        var count: UInt64
    }

    private let state: Mutex<State>

    /// A snapshot of a histogram, as exposed: bucket counts are cumulative.
    public struct Snapshot: Sendable, Equatable {
        /// One bucket: how many observations were at most `upperBound`.
        public struct Bucket: Sendable, Equatable {
            public var upperBound: Double
            public var count: UInt64
        }

        /// Ascending buckets, cumulative, ending with `+Inf` whose count equals ``count``.
        public var buckets: [Bucket]
        public var sum: Double
        public var count: UInt64
    }

    /// A histogram with the given bucket bounds.
    ///
    /// - Parameters:
    ///   - upperBounds: finite, strictly ascending bucket bounds (a programmer's constant; checked).
    public init(upperBounds: [Double]) {
        precondition(!upperBounds.isEmpty, "a histogram needs at least one bucket")
        precondition(upperBounds.allSatisfy { $0.isFinite }, "histogram bounds must be finite; +Inf is implicit")
        precondition(zip(upperBounds, upperBounds.dropFirst()).allSatisfy { $0 < $1 }, "histogram bounds must ascend")
        self.upperBounds = upperBounds
        self.state = Mutex(State(counts: Array(repeating: 0, count: upperBounds.count + 1), sum: 0, count: 0))
    }

    /// Records one observation. NaN is ignored (it would poison the sum).
    public func observe(_ value: Double) {
        guard !value.isNaN else { return }
        // Buckets are few (about 14): a linear scan beats a binary search's branches.
        var index = upperBounds.count
        for (candidate, bound) in upperBounds.enumerated() where value <= bound {
            index = candidate
            break
        }
        state.withLock { state in
            state.counts[index] += 1
            state.sum += value
            state.count += 1
        }
    }

    /// Records a duration in seconds.
    public func observe(_ duration: Duration) {
        observe(duration.inSeconds)
    }

    /// The current buckets (cumulative), sum and count.
    public var snapshot: Snapshot {
        let (counts, sum, count) = state.withLock { ($0.counts, $0.sum, $0.count) }
        var buckets: [Snapshot.Bucket] = []
        buckets.reserveCapacity(counts.count)
        var cumulative: UInt64 = 0
        for (index, bucketCount) in counts.enumerated() {
            cumulative += bucketCount
            buckets.append(
                Snapshot.Bucket(
                    upperBound: index < upperBounds.count ? upperBounds[index] : .infinity,
                    count: cumulative
                )
            )
        }
        return Snapshot(buckets: buckets, sum: sum, count: count)
    }

    public func appendSamples(name: String, labels: String, to output: inout String) {
        let snapshot = self.snapshot
        let prefix = labels.isEmpty ? "" : labels + ","
        for bucket in snapshot.buckets {
            Self.appendSample(
                name: name + "_bucket",
                labels: prefix + "le=\"" + PrometheusText.formatValue(bucket.upperBound) + "\"",
                value: String(bucket.count),
                to: &output
            )
        }
        Self.appendSample(
            name: name + "_sum",
            labels: labels,
            value: PrometheusText.formatValue(snapshot.sum),
            to: &output
        )
        Self.appendSample(name: name + "_count", labels: labels, value: String(snapshot.count), to: &output)
    }
}
