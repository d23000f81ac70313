import WebhookCore

// A handler's `match` (docs/reference.md §6): `types` globs, exact `sources` and `outcomes`, `stale`, read beside the type the
// dispatcher matches with.

extension HandlerMatch {
    /// The event type families the senders document (docs/reference.md §1, §5): a type is `<family>.<name>`.
    static let knownTypeFamilies = ["kyc", "biometric", "entity", "rule", "transaction", "alert", "argos"]

    /// The keys of `match`.
    static let configurationKeys = ["types", "sources", "outcomes", "stale"]

    /// Reads a handler's `match`; nil when it is not an object (reported). Each list that is wrong is
    /// reported and left out.
    init?(_ value: JSONValue, at path: JSONPath, reader: inout ConfigurationReader) {
        guard let members = reader.object(value, at: path, what: "match, like {\"outcomes\": [\"approved\"]}") else {
            return nil
        }
        reader.rejectUnknownKeys(members, allowed: Self.configurationKeys, at: path, context: "in match")
        self.init()
        if let value = members["types"] {
            types = Self.stringList(
                value,
                at: path.appending("types"),
                what: "event type globs like [\"kyc.*\"]",
                reader: &reader
            ) {
                text,
                elementPath,
                reader in
                Self.checkTypeGlob(text, at: elementPath, reader: &reader)
            }
        }
        if let value = members["sources"] {
            let what = "sources like [\"gu1.kyc\", \"argos\"]"
            sources = Self.stringList(value, at: path.appending("sources"), what: what, reader: &reader) {
                text,
                elementPath,
                reader in
                Self.checkSource(text, at: elementPath, reader: &reader)
            }
        }
        if let value = members["outcomes"] {
            let what = "outcomes like [\"approved\"]"
            outcomes = Self.stringList(value, at: path.appending("outcomes"), what: what, reader: &reader) {
                text,
                elementPath,
                reader in
                guard Outcome(rawValue: text) == nil else { return true }
                reader.error(
                    elementPath,
                    "is not an outcome, so this handler would never match: use one of \(Outcome.allCases.map(\.rawValue).joined(separator: ", "))"
                )
                return false
            }
        }
        if let value = members["stale"] {
            // docs/reference.md §5 "Order": false skips events recorded after a later one of their subject.
            let flag = reader.bool(value, at: path.appending("stale"), fallback: false)
            stale = reader.document.bool(value) == nil ? nil : flag
        }
        if let types, let sources, !types.isEmpty, !sources.isEmpty {
            let compatible = types.contains { glob in sources.contains { Self.glob(glob, canMatchSource: $0) } }
            if !compatible {
                reader.warn(
                    path,
                    "no type in types can come from a source in sources, so this handler never matches: align the two lists"
                )
            }
        }
    }

    /// A non-empty list of strings, each checked by `check` (which reports); nil when the key is wrong.
    private static func stringList(
        _ value: JSONValue,
        at path: JSONPath,
        what: String,
        reader: inout ConfigurationReader,
        check: (String, JSONPath, inout ConfigurationReader) -> Bool
    ) -> [String]? {
        guard let elements = reader.array(value, at: path, what: what) else { return nil }
        guard !elements.isEmpty else {
            reader.error(
                path,
                "is empty, so this handler would never match: list at least one value, or remove the key to match any"
            )
            return nil
        }
        var list: [String] = []
        for (index, element) in elements.enumerated() {
            let elementPath = path.appending(index: index)
            guard let text = reader.string(element, at: elementPath) else { continue }
            if check(text, elementPath, &reader) { list.append(text) }
        }
        return list
    }

    /// Types are `<family>.<name>`; `*` matches any run of characters. Unknown families are a warning only
    /// (Gu1 may add families); a pattern that no type can match is an error.
    private static func checkTypeGlob(_ glob: String, at path: JSONPath, reader: inout ConfigurationReader) -> Bool {
        let isWellFormed =
            !glob.isEmpty
            && glob.unicodeScalars.allSatisfy { $0 == "*" || ConfigurationReader.isUnreserved($0) }
        guard isWellFormed else {
            reader.error(
                path,
                "is not an event type pattern: use letters, digits, _, -, . and * (like \"kyc.*\" or \"argos.approved\")"
            )
            return false
        }
        guard glob.contains("*") || glob.contains(".") else {
            reader.error(
                path,
                "is not an event type (they look like family.name): write \"kyc.validation_approved\" or a glob like \"kyc.*\""
            )
            return false
        }
        if !Self.knownTypeFamilies.contains(where: { Self.glob(glob, canMatchFamily: $0) }) {
            reader.warn(
                path,
                "matches no known event family (\(Self.knownTypeFamilies.joined(separator: ", "))):"
                    + " check the spelling, or ignore this if the sender added a family"
            )
        }
        return true
    }

    /// Sources are exact: `argos` or `gu1.<family>`.
    private static func checkSource(_ source: String, at path: JSONPath, reader: inout ConfigurationReader) -> Bool {
        if source == "argos" { return true }
        if source.hasPrefix("gu1.") {
            let family = source.dropFirst(4)
            if !family.isEmpty, family.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || $0 == "_" }) {
                return true
            }
        }
        reader.error(
            path,
            "is not a source, so this handler would never match: use gu1.kyc, gu1.biometric, gu1.entity, gu1.rule,"
                + " gu1.transaction, gu1.alert or argos (exact names; use types for globs)"
        )
        return false
    }

    /// Whether a type glob can match some type `<family>.<anything>`, judged on its text before the first `*`.
    static func glob(_ glob: String, canMatchFamily family: String) -> Bool {
        let literal = glob.prefix { $0 != "*" }
        let familyPrefix = family + "."
        if literal.count == glob.count { return glob.hasPrefix(familyPrefix) && glob.count > familyPrefix.count }
        return literal.hasPrefix(familyPrefix) || familyPrefix.hasPrefix(literal)
    }

    /// Whether a type glob can match a type that `source` sends (`argos` sends `argos.*`, `gu1.x` sends `x.*`).
    static func glob(_ glob: String, canMatchSource source: String) -> Bool {
        let family = source == "argos" ? "argos" : String(source.dropFirst(4))
        return Self.glob(glob, canMatchFamily: family)
    }
}
