internal import WebhookCrypto

/// The idempotency key of an event (SPEC §5): `type:subjectId`, plus `@discriminator` for repeatable types.
///
/// The discriminator is the event's time, or, when it has none, the first 16 hex digits of the SHA-256 of
/// the body bytes (decrypted bytes for ARGOS). The delivery id is never part of the key, so one event
/// through the organization webhook and a per-request `webhookUrl` has one key.
public enum IdempotencyKey {
    /// Types one subject can legitimately repeat (SPEC §5).
    public static let repeatableTypes: Set<String> = [
        "argos.approved", "argos.rejected", "argos.updated", "argos.injection", "argos.retry", "argos.aml_monitor",
        "entity.updated", "entity.status_changed", "rule.triggered", "transaction.updated",
    ]

    /// Whether `type` needs a discriminator after its subject.
    public static func isRepeatable(_ type: String) -> Bool {
        repeatableTypes.contains(type)
    }

    /// The key for an event.
    ///
    /// - Parameters:
    ///   - type: The event type (`kyc.validation_approved`, `argos.updated`).
    ///   - subjectId: The subject's id.
    ///   - occurredAt: The normalized time of the event, if any.
    ///   - body: The body bytes the event was decoded from (decrypted for ARGOS); hashed only when needed.
    public static func make(type: String, subjectId: String, occurredAt: String?, body: [UInt8]) -> String {
        let base = type + ":" + subjectId
        guard isRepeatable(type) else { return base }
        if let occurredAt { return base + "@" + occurredAt }
        return base + "@" + bodyDigest(body)
    }

    /// The first 16 lowercase hex digits of the SHA-256 of `body`.
    public static func bodyDigest(_ body: [UInt8]) -> String {
        let digest = body.withUnsafeBytes { SHA256.hash($0) }
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
