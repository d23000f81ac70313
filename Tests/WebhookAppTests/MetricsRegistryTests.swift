import Dispatch
import Testing
import WebhookApp

@Suite struct MetricsRegistryTests {
    /// A small registry renders exactly: families by name, series by label values, HELP and TYPE lines,
    /// integral values without a fraction, cumulative histogram buckets ending in +Inf, then _sum and _count.
    @Test func rendersTextFormatExactly() {
        let metrics = Metrics()
        let requests = metrics.counter(
            "test_requests_total",
            help: "Requests handled.",
            labelNames: ["route", "status"]
        )
        requests.labels("/b", "200").increment(by: 2)
        requests.labels("/a", "404").increment()
        requests.labels("/a", "200").increment()
        metrics.gauge("test_temperature", help: "A gauge.").labels().set(-1.5)
        let duration = metrics.histogram("test_duration_seconds", help: "Durations.", buckets: [0.25, 1]).labels()
        for value in [0.25, 0.125, 0.5, 3] {
            duration.observe(value)
        }

        let expected = """
            # HELP test_duration_seconds Durations.
            # TYPE test_duration_seconds histogram
            test_duration_seconds_bucket{le="0.25"} 2
            test_duration_seconds_bucket{le="1"} 3
            test_duration_seconds_bucket{le="+Inf"} 4
            test_duration_seconds_sum 3.875
            test_duration_seconds_count 4
            # HELP test_requests_total Requests handled.
            # TYPE test_requests_total counter
            test_requests_total{route="/a",status="200"} 1
            test_requests_total{route="/a",status="404"} 1
            test_requests_total{route="/b",status="200"} 2
            # HELP test_temperature A gauge.
            # TYPE test_temperature gauge
            test_temperature -1.5

            """
        #expect(metrics.render() == expected)
    }

    /// Each bucket counts every observation at most its bound (le is inclusive), so counts never decrease and
    /// +Inf equals the total count.
    @Test func histogramBucketsAreCumulative() {
        let histogram = Histogram(upperBounds: WebhookMetrics.requestDurationBuckets)
        let observations: [Double] = [0.0001, 0.0005, 0.0007, 0.003, 0.003, 0.02, 0.7, 1, 4, 9.99, 10, 11, 500]
        for value in observations {
            histogram.observe(value)
        }
        let snapshot = histogram.snapshot
        #expect(snapshot.count == UInt64(observations.count))
        #expect(snapshot.sum == observations.reduce(0, +))
        #expect(snapshot.buckets.count == WebhookMetrics.requestDurationBuckets.count + 1)
        #expect(snapshot.buckets.last?.upperBound == .infinity)
        #expect(snapshot.buckets.last?.count == snapshot.count)
        for bucket in snapshot.buckets {
            let expected = observations.filter { $0 <= bucket.upperBound }.count
            #expect(bucket.count == UInt64(expected), "le=\(bucket.upperBound)")
        }
        #expect(zip(snapshot.buckets, snapshot.buckets.dropFirst()).allSatisfy { $0.count <= $1.count })
    }

    @Test func histogramObservesDurationsInSeconds() {
        let histogram = Histogram(upperBounds: [0.001, 0.01])
        histogram.observe(Duration.milliseconds(5))
        histogram.observe(Duration.microseconds(500))
        let snapshot = histogram.snapshot
        #expect(snapshot.buckets.map(\.count) == [1, 2, 2])
        #expect(abs(snapshot.sum - 0.0055) < 1e-12)
    }

    /// Label values escape backslash, double quote and line feed; HELP escapes backslash and line feed.
    @Test func escapesLabelValuesAndHelp() {
        let metrics = Metrics()
        let family = metrics.counter(
            "test_escaped_total",
            help: "Back\\slash and\nnewline \"kept\".",
            labelNames: ["path"]
        )
        family.labels("a\\b\"c\nd").increment()
        let expected = """
            # HELP test_escaped_total Back\\\\slash and\\nnewline "kept".
            # TYPE test_escaped_total counter
            test_escaped_total{path="a\\\\b\\"c\\nd"} 1

            """
        #expect(metrics.render() == expected)
    }

    /// Many threads incrementing the same counters (resolved concurrently too) lose no increment.
    @Test func concurrentIncrementsAreExact() {
        let metrics = Metrics()
        let family = metrics.counter("test_concurrent_total", help: "Concurrent.", labelNames: ["shard"])
        let histogram = metrics.histogram("test_concurrent_seconds", help: "Concurrent.", buckets: [1]).labels()
        let gauge = metrics.gauge("test_concurrent_gauge", help: "Concurrent.").labels()
        let threads = 16
        let perThread = 5_000
        DispatchQueue.concurrentPerform(iterations: threads) { index in
            let shared = family.labels("shared")
            let own = family.labels("shard\(index % 4)")
            for _ in 0..<perThread {
                shared.increment()
                own.increment()
                histogram.observe(0.5)
                gauge.add(1)
            }
            _ = metrics.render()
        }
        #expect(family.labels("shared").value == UInt64(threads * perThread))
        for shard in 0..<4 {
            #expect(family.labels("shard\(shard)").value == UInt64(threads / 4 * perThread))
        }
        #expect(histogram.snapshot.count == UInt64(threads * perThread))
        #expect(histogram.snapshot.buckets.first?.count == UInt64(threads * perThread))
        #expect(gauge.value == Double(threads * perThread))
    }

    /// Beyond the series limit, new label sets are counted in the overflow series; known ones keep theirs.
    @Test func cardinalityCapCollapsesIntoOverflow() {
        let metrics = Metrics()
        let family = metrics.counter(
            "test_capped_total",
            help: "Capped.",
            labelNames: ["type"],
            seriesLimit: 3,
            overflowLabelValues: ["other"]
        )
        for index in 0..<50 {
            family.labels("type\(index)").increment()
        }
        family.labels("type0").increment()
        #expect(family.seriesCount == 4)
        #expect(family.labels("type0").value == 2)
        #expect(family.labels("type2").value == 1)
        #expect(family.labels("other").value == 47)
        #expect(family.labels("type49") === family.labels("other"))
        let rendered = metrics.render()
        #expect(!rendered.contains("type3"))
        #expect(rendered.contains(#"test_capped_total{type="other"} 47"#))
    }

    /// A callback gauge asks its provider at each scrape; `set` replaces the provider.
    @Test func callbackGaugeIsEvaluatedAtScrape() {
        let metrics = Metrics()
        let gauge = metrics.gauge("test_depth", help: "Depth.").labels()
        let source = Counter()
        gauge.setProvider { Double(source.value) }
        source.increment(by: 7)
        #expect(metrics.render().contains("test_depth 7\n"))
        source.increment(by: 2)
        #expect(metrics.render().contains("test_depth 9\n"))
        gauge.set(3)
        source.increment()
        #expect(metrics.render().contains("test_depth 3\n"))
    }

    /// Registering a name again returns the same family, so two components share its series.
    @Test func registeringTwiceReturnsTheSameFamily() {
        let metrics = Metrics()
        let first = metrics.counter("test_shared_total", help: "Shared.", labelNames: ["a"])
        let second = metrics.counter("test_shared_total", help: "Shared.", labelNames: ["a"])
        #expect(first === second)
        first.labels("x").increment()
        #expect(second.labels("x").value == 1)
    }

    @Test(
        "Sample values in Go-parsable form",
        arguments: [
            (0.0005, "0.0005"), (1.0, "1"), (10.0, "10"), (2.5, "2.5"), (-3.0, "-3"), (Double.infinity, "+Inf"),
            (-Double.infinity, "-Inf"), (Double.nan, "NaN"), (1e-05, "1e-05"),
        ]
    )
    func formatsGaugeValues(value: Double, text: String) {
        let metrics = Metrics()
        metrics.gauge("test_value", help: "Value.").labels().set(value)
        #expect(metrics.render().hasSuffix("test_value \(text)\n"))
    }

    /// The histogram's `le` label values are formatted like the sample values.
    @Test func bucketBoundsRenderCanonically() {
        let metrics = Metrics()
        _ = metrics.histogram(
            "test_bounds_seconds",
            help: "Bounds.",
            labelNames: ["route"],
            buckets: [0.0005, 2.5, 10]
        )
        .labels("/x")
        let lines = metrics.render().split(separator: "\n").filter { $0.contains("_bucket") }
        #expect(
            lines == [
                #"test_bounds_seconds_bucket{route="/x",le="0.0005"} 0"#,
                #"test_bounds_seconds_bucket{route="/x",le="2.5"} 0"#,
                #"test_bounds_seconds_bucket{route="/x",le="10"} 0"#,
                #"test_bounds_seconds_bucket{route="/x",le="+Inf"} 0"#,
            ]
        )
    }
}
