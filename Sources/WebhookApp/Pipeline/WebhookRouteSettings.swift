import WebhookCrypto

/// A webhook route as the receive path uses it: secrets already resolved to bytes, addresses to predicates.
struct WebhookRouteSettings: Sendable {
    /// How a Gu1 route authenticates: `X-Webhook-Signature`, HMAC-SHA256 of the raw body.
    struct Gu1: Sendable {
        /// Secrets tried in order (rotation), prepared for HMAC-SHA256. Empty only when `requireSignature` is
        /// false.
        var keys: [HMACSHA256.Key]
        var requireSignature: Bool
    }

    /// How an ARGOS route authenticates. Every configured mechanism must pass (see docs/configuration.md).
    struct Argos: Sendable {
        /// Expected token (last path segment or `?token=`).
        var token: [UInt8]?
        /// AES-256 key: SHA-256 of the ARGOS API key.
        var decryptionKey: [UInt8]?
        /// Whether the client address may post here; nil when `allowFrom` is not configured.
        var isAllowed: (@Sendable (String) -> Bool)?
    }

    enum Sender: Sendable {
        case gu1(Gu1)
        case argos(Argos)
    }

    var path: String
    var sender: Sender
    /// Whether a peer is a trusted proxy whose `X-Forwarded-For` may be believed.
    var isTrustedProxy: @Sendable (String) -> Bool
}
