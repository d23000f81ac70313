/// Why a rejected event was rejected (docs/reference.md §5 `rejection`).
public struct Rejection: Sendable, Equatable, Codable {
    /// Gu1 `rejectionCode` or ARGOS `kyc_result.commentCode`.
    public var code: String?
    /// Gu1 `rejectionMessage`, else `rejectionReason`, else ARGOS `kyc_result.comment`.
    public var reason: String?
    /// Gu1 `warnings` (else empty).
    public var warnings: [String]

    public init(code: String?, reason: String?, warnings: [String]) {
        self.code = code
        self.reason = reason
        self.warnings = warnings
    }
}

/// A JSON value kept as the exact bytes it was received as (a fragment of the body, or the decrypted body).
///
/// Decoding never round-trips the sender's object: handlers get it unchanged.
public struct RawJSON: Sendable, Equatable {
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// JSON `null`.
    public static let null = RawJSON(bytes: Array("null".utf8))
}

/// The one event model every sender's body becomes (docs/reference.md §5).
public struct WebhookEvent: Sendable, Equatable {
    /// The idempotency key: `type:subjectId`, with `@discriminator` for repeatable types.
    public var key: String
    /// `gu1.kyc`, `gu1.biometric`, `gu1.<family>` or `argos`.
    public var source: String
    /// The sender's event name (`kyc.validation_approved`) or `argos.<webhook_trigger>`.
    public var type: String
    public var outcome: Outcome
    public var subjectId: String
    public var entityId: String?
    public var externalId: String?
    public var organizationId: String?
    /// Gu1 `payload.status`; ARGOS `kyc_result.status`, else `kyc_status`.
    public var status: String?
    /// When the sender says it happened, ISO 8601 UTC, or nil.
    public var occurredAt: String?
    /// When this receiver accepted the body, ISO 8601 UTC with milliseconds.
    public var receivedAt: String
    /// `X-Webhook-ID`, recorded but never used as the key.
    public var deliveryId: String?
    /// The route path the body arrived on.
    public var route: String
    public var rejection: Rejection?
    /// Whether the store already held, when this event was recorded, an event of the same `source` and
    /// `subjectId` with a later `occurredAt` (docs/reference.md §5 "Order"). Decided by the store: the
    /// receiver builds every event with `false`.
    public var stale: Bool
    /// The sender's object, unchanged (Gu1 `payload`; ARGOS whole body, decrypted).
    public var payload: RawJSON

    public init(
        key: String,
        source: String,
        type: String,
        outcome: Outcome,
        subjectId: String,
        entityId: String? = nil,
        externalId: String? = nil,
        organizationId: String? = nil,
        status: String? = nil,
        occurredAt: String? = nil,
        receivedAt: String,
        deliveryId: String? = nil,
        route: String,
        rejection: Rejection? = nil,
        stale: Bool = false,
        payload: RawJSON
    ) {
        self.key = key
        self.source = source
        self.type = type
        self.outcome = outcome
        self.subjectId = subjectId
        self.entityId = entityId
        self.externalId = externalId
        self.organizationId = organizationId
        self.status = status
        self.occurredAt = occurredAt
        self.receivedAt = receivedAt
        self.deliveryId = deliveryId
        self.route = route
        self.rejection = rejection
        self.stale = stale
        self.payload = payload
    }
}
