/// The one conversion between `Duration` and plain numbers of seconds or milliseconds.
///
/// Foundation's `TimeInterval`, URLSession's timeouts, SQLite's busy timeout, metrics in seconds and the
/// configuration's `…Seconds` keys all speak in numbers; `Duration` speaks in seconds and attoseconds.
/// Every crossing between them goes through these members, so each rounds the same way.
extension Duration {
    /// The duration in fractional seconds (for `Date` arithmetic, `TimeInterval` and metrics).
    package var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// The duration in whole milliseconds, truncated toward zero, and saturated at `Int64`'s bounds instead of
    /// overflowing (a `Duration` holds up to about 2⁶³ seconds).
    package var inWholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (milliseconds, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflowAdding) = milliseconds.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        if overflowAdding { return seconds < 0 ? .min : .max }
        return total
    }

    /// `seconds` as a duration of whole milliseconds, rounded to the nearest (half away from zero).
    ///
    /// A number of seconds read from configuration or computed in floating point (`4.35 × 1000` is
    /// `4349.999…`) becomes the millisecond it means. NaN is zero; values beyond `Int64` milliseconds saturate.
    package static func milliseconds(roundingSeconds seconds: Double) -> Duration {
        guard !seconds.isNaN else { return .zero }
        let milliseconds = (seconds * 1000).rounded()
        // 2⁶³ is exactly representable; every Double below it converts without trapping.
        if milliseconds >= 9_223_372_036_854_775_808.0 { return .milliseconds(Int64.max) }
        if milliseconds < -9_223_372_036_854_775_808.0 { return .milliseconds(Int64.min) }
        return .milliseconds(Int64(milliseconds))
    }
}
