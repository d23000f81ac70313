extension Outcome {
    /// The outcome a Gu1 event name says (SPEC §5): its last part (`kyc.validation_approved` → `approved`,
    /// `biometric.session_in_progress` → `in_progress`, `entity.status_changed` → `status_changed`).
    ///
    /// The last part is read as an outcome word as is, else after a `validation_` or `session_` prefix;
    /// anything else is ``unknown``. Never derived from `status`.
    public init(gu1EventName name: String) {
        // The last "." among UTF-8 code units: a search among Characters would run grapheme breaking over the name.
        guard let dot = name.utf8.lastIndex(of: UInt8(ascii: ".")) else {
            self = .unknown
            return
        }
        let last = name[name.utf8.index(after: dot)...]
        if let outcome = Self.byRawValue[last] {
            self = outcome
            return
        }
        for prefix in ["validation_", "session_"] where last.hasPrefix(prefix) {
            if let outcome = Self.byRawValue[last.dropFirst(prefix.count)] {
                self = outcome
                return
            }
        }
        self = .unknown
    }

    /// Every outcome by its raw value, looked up with a slice of the event name (no copy, and one hash instead
    /// of `init(rawValue:)`'s comparison with each case in turn: this runs for every Gu1 request).
    private static let byRawValue: [Substring: Outcome] = Dictionary(
        uniqueKeysWithValues: allCases.map { (Substring($0.rawValue), $0) }
    )

    /// The outcome of an ARGOS `webhook_trigger` (SPEC §5); ``unknown`` for an undocumented trigger.
    public init(argosTrigger trigger: String) {
        switch trigger {
        case "created": self = .created
        case "submit": self = .submitted
        case "approved": self = .approved
        case "rejected": self = .rejected
        case "updated": self = .updated
        case "delete": self = .deleted
        case "retry": self = .retried
        case "injection": self = .injectionDetected
        case "aml": self = .amlScreened
        case "aml_monitor": self = .amlMonitored
        default: self = .unknown
        }
    }
}
