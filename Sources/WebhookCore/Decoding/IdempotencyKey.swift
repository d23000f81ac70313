internal import WebhookCrypto

/// The idempotency key of an event (docs/reference.md §5): `type:subjectId` for the types the vendors document as happening
/// once per subject, and `type:subjectId@discriminator` for every other type, known or not.
///
/// The discriminator is the event's time, or, when it has none, the first 16 hex digits of the SHA-256 of
/// the body bytes (decrypted bytes for ARGOS). So a second, different event of a repeatable or unknown type for
/// one subject (Gu1's `transaction.status_changed`, `risk_analysis_entity_executed`) is a new event, and the
/// same body sent again is still a duplicate. The delivery id is never part of the key, so one event through
/// the organization webhook and a per-request `webhookUrl` has one key.
public enum IdempotencyKey {
    /// Whether the vendors document `type` as happening once per subject, so that its key needs no
    /// discriminator: Gu1 `kyc.validation_<word>` and `biometric.session_<word>` with a documented lifecycle
    /// word, `entity.created`, `transaction.created`; ARGOS `created`, `submit`, `aml`, `delete`.
    ///
    /// The lifecycle words are those Gu1 documents for validations and sessions (created, in_progress,
    /// in_review, approved, rejected, abandoned, expired, cancelled). A word that can repeat by nature
    /// (`kyc.validation_updated`, `…_status_changed`) or that we do not know gets a discriminator: a type
    /// wrongly taken for once per subject would answer a distinct event `duplicate`, while the reverse
    /// mistake only costs a duplicate delivery that the handlers' key dedupes.
    public static func isOncePerSubject(_ type: String) -> Bool {
        if oncePerSubjectTypes.contains(type) { return true }
        for prefix in lifecyclePrefixes where type.hasPrefix(prefix) {
            return lifecycleWords.contains(String(type.utf8.dropFirst(prefix.utf8.count))!)
        }
        return false
    }

    private static let oncePerSubjectTypes: Set<String> = [
        "entity.created", "transaction.created", "argos.created", "argos.submit", "argos.aml", "argos.delete",
    ]
    private static let lifecyclePrefixes = ["kyc.validation_", "biometric.session_"]
    private static let lifecycleWords: Set<String> = [
        "created", "in_progress", "in_review", "approved", "rejected", "abandoned", "expired", "cancelled",
    ]

    /// The key for an event.
    ///
    /// - Parameters:
    ///   - type: The event type (`kyc.validation_approved`, `argos.updated`).
    ///   - subjectId: The subject's id.
    ///   - occurredAt: The normalized time of the event, if any.
    ///   - body: The body bytes the event was decoded from (decrypted for ARGOS); hashed only when needed.
    public static func make(type: String, subjectId: String, occurredAt: String?, body: [UInt8]) -> String {
        let base = type + ":" + subjectId
        guard !isOncePerSubject(type) else { return base }
        if let occurredAt { return base + "@" + occurredAt }
        return base + "@" + bodyDigest(body)
    }

    /// The key the rule before this one gave an event, when it differs from the key ``make`` gives now; nil
    /// when both rules agree.
    ///
    /// Until this rule, only a short list of types was keyed with a discriminator and every other type was
    /// keyed `type:subjectId`. A store written then holds such keys; a redelivery of one of those events,
    /// keyed now with a discriminator, must still answer `duplicate` (the store looks this key up and
    /// compares the stored event's discriminator, see `LegacyKeys` in WebhookStore).
    public static func previousRuleKey(type: String, subjectId: String) -> String? {
        guard !isOncePerSubject(type), !previousRuleRepeatableTypes.contains(type) else { return nil }
        return type + ":" + subjectId
    }

    /// The types the rule before this one keyed with a discriminator; every other type it keyed
    /// `type:subjectId`.
    static let previousRuleRepeatableTypes: Set<String> = [
        "argos.approved", "argos.rejected", "argos.updated", "argos.injection", "argos.retry", "argos.aml_monitor",
        "entity.updated", "entity.status_changed", "rule.triggered", "transaction.updated",
    ]

    /// The first 16 lowercase hex digits of the SHA-256 of `body`.
    public static func bodyDigest(_ body: some Collection<UInt8>) -> String {
        let digest = Array(body).withUnsafeBytes { SHA256.hash($0) }
        let alphabet = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(16)
        for byte in digest.prefix(8) {
            hex.append(alphabet[Int(byte >> 4)])
            hex.append(alphabet[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
