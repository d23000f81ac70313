/// Which events a handler gets (docs/reference.md §6): all of the given `types` globs, `sources` and `outcomes` must
/// match, and `stale` when it is given; a list that is nil or empty matches anything.
///
/// `types` entries are globs where `*` matches any run of characters (`kyc.*`, `*.session_approved`);
/// `sources` and `outcomes` entries are exact (`gu1.kyc`, `argos`; `approved`).
///
/// ```swift
/// let match = HandlerMatch(types: ["kyc.*"], outcomes: ["approved"])
/// match.matches(event)
/// ```
public struct HandlerMatch: Sendable, Equatable, Hashable {
    /// Event type globs (`*` matches any run of characters); any one must match.
    public var types: [String]?
    /// Exact sources (`gu1.kyc`, `argos`); any one must match.
    public var sources: [String]?
    /// Exact outcome names (`approved`); any one must match.
    public var outcomes: [String]?
    /// The event's `stale` flag (docs/reference.md §5 "Order"); nil for either.
    public var stale: Bool?

    /// - Parameters:
    ///   - types: Event type globs, any of which must match; nil or empty for any type.
    ///   - sources: Sources (`gu1.kyc`, `gu1.biometric`, `gu1.<family>`, `argos`); nil or empty for any.
    ///   - outcomes: Outcome names of the docs/reference.md §5 vocabulary; nil or empty for any.
    ///   - stale: `false` to skip stale events (`true` for only them); nil for either.
    public init(types: [String]? = nil, sources: [String]? = nil, outcomes: [String]? = nil, stale: Bool? = nil) {
        self.types = types
        self.sources = sources
        self.outcomes = outcomes
        self.stale = stale
    }

    /// Whether `event` passes every given filter.
    public func matches(_ event: WebhookEvent) -> Bool {
        matches(type: event.type, source: event.source, outcome: event.outcome, stale: event.stale)
    }

    /// Whether an event with these fields passes every given filter.
    public func matches(type: String, source: String, outcome: Outcome, stale: Bool = false) -> Bool {
        if let wanted = self.stale, wanted != stale { return false }
        if let types, !types.isEmpty, !types.contains(where: { Self.glob($0, matches: type) }) { return false }
        if let sources, !sources.isEmpty, !sources.contains(source) { return false }
        if let outcomes, !outcomes.isEmpty, !outcomes.contains(outcome.rawValue) { return false }
        return true
    }

    /// Whether `pattern` matches all of `text`, where `*` in the pattern matches any run of characters.
    public static func glob(_ pattern: String, matches text: String) -> Bool {
        var pattern = pattern
        var text = text
        return pattern.withUTF8 { pattern in text.withUTF8 { text in glob(pattern, matches: text) } }
    }

    /// Greedy matching with one backtrack point (the last `*`): linear for typical patterns, no allocation.
    private static func glob(_ pattern: UnsafeBufferPointer<UInt8>, matches text: UnsafeBufferPointer<UInt8>) -> Bool {
        var p = 0
        var t = 0
        var starPattern = -1
        var starText = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                starPattern = p
                starText = t
                p += 1
            } else if p < pattern.count, pattern[p] == text[t] {
                p += 1
                t += 1
            } else if starPattern >= 0 {
                p = starPattern + 1
                starText += 1
                t = starText
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.count
    }
}
