extension Outcome {
    /// The outcome a Gu1 event name says (docs/reference.md §5): its last part (`kyc.validation_approved` → `approved`,
    /// `biometric.session_in_progress` → `in_progress`, `entity.status_changed` → `status_changed`).
    ///
    /// The last part is read as an outcome word as is, else after a `validation_` or `session_` prefix;
    /// anything else is ``unknown``. Never derived from `status`.
    public init(gu1EventName name: String) {
        var name = name
        self = name.withUTF8 { Self.outcome(gu1EventName: $0) }
    }

    /// The same over the name's UTF-8 (this runs for every Gu1 request): no Character walking, no hashing.
    private static func outcome(gu1EventName utf8: UnsafeBufferPointer<UInt8>) -> Outcome {
        guard let dot = utf8.lastIndex(of: UInt8(ascii: ".")) else { return .unknown }
        let last = UnsafeBufferPointer(rebasing: utf8[(dot + 1)...])
        if let outcome = outcome(word: last) { return outcome }
        for prefix in wordPrefixes where last.starts(with: prefix) {
            if let outcome = outcome(word: UnsafeBufferPointer(rebasing: last[prefix.count...])) { return outcome }
        }
        return .unknown
    }

    /// The outcome whose raw value is `word`, if any.
    private static func outcome(word: UnsafeBufferPointer<UInt8>) -> Outcome? {
        rawValues.first { $0.utf8.count == word.count && $0.utf8.elementsEqual(word) }?.outcome
    }

    /// Every outcome with its raw value's UTF-8.
    private static let rawValues: [(utf8: [UInt8], outcome: Outcome)] = allCases.map {
        (Array($0.rawValue.utf8), $0)
    }

    /// The prefixes an event name's last part may carry before its outcome word.
    private static let wordPrefixes: [[UInt8]] = [Array("validation_".utf8), Array("session_".utf8)]

    /// The outcome of an ARGOS `webhook_trigger` (docs/reference.md §5); ``unknown`` for an undocumented trigger.
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
