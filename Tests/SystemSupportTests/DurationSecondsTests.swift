import SystemSupport
import Testing

@Suite struct DurationSecondsTests {
    @Test func fractionalSeconds() {
        #expect(Duration.zero.inSeconds == 0)
        #expect(Duration.seconds(5).inSeconds == 5)
        #expect(Duration.milliseconds(1500).inSeconds == 1.5)
        #expect(Duration.milliseconds(-1500).inSeconds == -1.5)
        #expect(Duration.nanoseconds(1).inSeconds == 1e-9)
        #expect(Duration.seconds(Int64.max).inSeconds == Double(Int64.max))
    }

    /// Whole milliseconds truncate toward zero and saturate instead of overflowing.
    @Test func wholeMilliseconds() {
        #expect(Duration.zero.inWholeMilliseconds == 0)
        #expect(Duration.seconds(5).inWholeMilliseconds == 5000)
        #expect(Duration.microseconds(1999).inWholeMilliseconds == 1)
        #expect(Duration.microseconds(-1999).inWholeMilliseconds == -1)
        #expect(Duration.nanoseconds(999_999).inWholeMilliseconds == 0)
        #expect(Duration.seconds(9_223_372_036_854_775).inWholeMilliseconds == 9_223_372_036_854_775_000)
        #expect(Duration.seconds(Int64.max).inWholeMilliseconds == Int64.max)
        #expect(Duration.seconds(Int64.min).inWholeMilliseconds == Int64.min)
    }

    /// Seconds round to the nearest millisecond (`4.35 × 1000` is `4349.999…`).
    @Test func roundsSecondsToMilliseconds() {
        #expect(Duration.milliseconds(roundingSeconds: 4.35) == .milliseconds(4350))
        #expect(Duration.milliseconds(roundingSeconds: 0.0005) == .milliseconds(1))
        #expect(Duration.milliseconds(roundingSeconds: 0.0004) == .zero)
        #expect(Duration.milliseconds(roundingSeconds: -2.5) == .milliseconds(-2500))
        #expect(Duration.milliseconds(roundingSeconds: 3600) == .seconds(3600))
        #expect(Duration.milliseconds(roundingSeconds: .nan) == .zero)
        #expect(Duration.milliseconds(roundingSeconds: .infinity) == .milliseconds(Int64.max))
        #expect(Duration.milliseconds(roundingSeconds: -.infinity) == .milliseconds(Int64.min))
        #expect(Duration.milliseconds(roundingSeconds: 1e300) == .milliseconds(Int64.max))
    }

    /// Every whole number of milliseconds survives the round trip through seconds.
    @Test func roundTripsMilliseconds() {
        for milliseconds: Int64 in [0, 1, 999, 1000, 1001, 86_400_000, 31_536_000_000, -1, -86_400_001] {
            let duration = Duration.milliseconds(milliseconds)
            #expect(Duration.milliseconds(roundingSeconds: duration.inSeconds) == duration)
            #expect(duration.inWholeMilliseconds == milliseconds)
        }
    }
}
