/// Which events a handler gets (SPEC §6): all of the given `types` globs, `sources` and `outcomes` must
/// match; a list that is nil or empty matches anything.
///
/// `types` entries are globs where `*` matches any run of characters (`kyc.*`, `*.session_approved`);
/// `sources` and `outcomes` entries are exact (`gu1.kyc`, `argos`; `approved`).
///
/// ```swift
/// let match = HandlerMatch(types: ["kyc.*"], outcomes: ["approved"])
/// match.matches(event)
/// ```
public struct HandlerMatch: Sendable, Equatable, Hashable, Codable {
    /// Event type globs (`*` matches any run of characters); any one must match.
    public var types: [String]?
    /// Exact sources (`gu1.kyc`, `argos`); any one must match.
    public var sources: [String]?
    /// Exact outcome names (`approved`); any one must match.
    public var outcomes: [String]?

    /// - Parameters:
    ///   - types: Event type globs, any of which must match; nil or empty for any type.
    ///   - sources: Sources (`gu1.kyc`, `gu1.biometric`, `gu1.<family>`, `argos`); nil or empty for any.
    ///   - outcomes: Outcome names of the SPEC §5 vocabulary; nil or empty for any.
    public init(types: [String]? = nil, sources: [String]? = nil, outcomes: [String]? = nil) {
        self.types = types
        self.sources = sources
        self.outcomes = outcomes
    }

    /// Whether `event` passes every given filter.
    public func matches(_ event: WebhookEvent) -> Bool {
        matches(type: event.type, source: event.source, outcome: event.outcome)
    }

    /// Whether an event with these fields passes every given filter.
    public func matches(type: String, source: String, outcome: Outcome) -> Bool {
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

// MARK: - Decoding (configuration)

extension HandlerMatch {
    private enum CodingKeys: String, CodingKey, CaseIterable {
        case types
        case sources
        case outcomes
    }

    /// Any key, so that keys other than `types`, `sources` and `outcomes` can be reported.
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes `{"types": [...], "sources": [...], "outcomes": [...]}` (each optional).
    ///
    /// - Throws: `DecodingError.dataCorrupted` for a key other than these three (unknown keys are
    ///   configuration errors, SPEC §3), or a type mismatch.
    public init(from decoder: any Decoder) throws {
        let all = try decoder.container(keyedBy: AnyKey.self)
        for key in all.allKeys where CodingKeys(stringValue: key.stringValue) == nil {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: all.codingPath + [key],
                    debugDescription: "unknown key \"\(key.stringValue)\" (expected types, sources, outcomes)"
                )
            )
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            types: try container.decodeIfPresent([String].self, forKey: .types),
            sources: try container.decodeIfPresent([String].self, forKey: .sources),
            outcomes: try container.decodeIfPresent([String].self, forKey: .outcomes)
        )
    }
}

// MARK: - Checking a match (check-config)

extension HandlerMatch {
    /// One thing wrong with a match, found without any event.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// Whether the problem stops the configuration (error) or is only reported (warning).
        public enum Severity: Sendable, Equatable {
            /// The filter can never match anything: a configuration error.
            case error
            /// The filter matches no documented event, but an undocumented one could still match.
            case warning
        }

        /// Error or warning.
        public var severity: Severity
        /// Where, relative to the match object: `outcomes[0]`, `types[1]`, or empty for the whole match.
        public var path: String
        /// One sentence naming the problem (it quotes the configured value, never an event's).
        public var message: String

        public init(severity: Severity, path: String, message: String) {
            self.severity = severity
            self.path = path
            self.message = message
        }

        public var description: String { path.isEmpty ? message : "\(path): \(message)" }
    }

    /// The Gu1 families of SPEC §1.
    public static let documentedGu1Families: Set<String> = ["kyc", "biometric", "entity", "rule", "transaction", "alert"]

    /// Every documented event type (SPEC §5, the fixtures): the types of ``SampleEvents``.
    public static var documentedTypes: [String] { SampleEvents.allTypes }

    /// What is wrong with this match: an outcome outside the vocabulary, a source that is not `argos` or
    /// `gu1.<family>`, or an empty type glob can never match (errors); a type glob or source that no
    /// documented event has, or filters that no documented event passes together, are warnings (Gu1 may send
    /// undocumented types, which are accepted).
    public func problems() -> [Problem] {
        var problems: [Problem] = []
        let vocabulary = Outcome.allCases.map(\.rawValue)
        for (index, outcome) in (outcomes ?? []).enumerated() where !vocabulary.contains(outcome) {
            problems.append(
                Problem(
                    severity: .error,
                    path: "outcomes[\(index)]",
                    message: "\"\(outcome)\" is not an outcome (one of \(vocabulary.joined(separator: ", ")))"
                )
            )
        }
        for (index, source) in (sources ?? []).enumerated() {
            let path = "sources[\(index)]"
            if source == "argos" { continue }
            if source.contains("*") {
                problems.append(
                    Problem(
                        severity: .error,
                        path: path,
                        message: "\"\(source)\" is not a source: sources are exact names (globs go in types, e.g. \"kyc.*\")"
                    )
                )
                continue
            }
            guard source.hasPrefix("gu1."), source.count > 4 else {
                problems.append(
                    Problem(
                        severity: .error,
                        path: path,
                        message: "\"\(source)\" is not a source (argos or gu1.<family>, e.g. gu1.kyc)"
                    )
                )
                continue
            }
            if !Self.documentedGu1Families.contains(String(source.dropFirst(4))) {
                problems.append(
                    Problem(severity: .warning, path: path, message: "\"\(source)\" is not a documented Gu1 family")
                )
            }
        }
        let documented = Self.documentedTypes
        for (index, pattern) in (types ?? []).enumerated() {
            let path = "types[\(index)]"
            if pattern.isEmpty {
                problems.append(Problem(severity: .error, path: path, message: "an empty type never matches"))
            } else if !documented.contains(where: { Self.glob(pattern, matches: $0) }) {
                problems.append(
                    Problem(severity: .warning, path: path, message: "\"\(pattern)\" matches no documented event type")
                )
            }
        }
        if problems.isEmpty {
            let anyDocumented = documented.contains { type in
                matches(type: type, source: SampleEvents.source(ofType: type), outcome: SampleEvents.outcome(ofType: type))
            }
            if !anyDocumented {
                problems.append(
                    Problem(
                        severity: .warning,
                        path: "",
                        message: "no documented event passes types, sources and outcomes together"
                    )
                )
            }
        }
        return problems
    }
}
