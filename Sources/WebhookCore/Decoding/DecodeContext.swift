/// What a decoder needs to know besides the body.
public struct DecodeContext: Sendable {
    /// The route path the body arrived on.
    public var route: String
    /// ISO 8601 UTC time of receipt, with milliseconds (`2026-11-22T10:00:00.123Z`).
    public var receivedAt: String
    /// `X-Webhook-ID`, if sent.
    public var deliveryId: String?

    public init(route: String, receivedAt: String, deliveryId: String? = nil) {
        self.route = route
        self.receivedAt = receivedAt
        self.deliveryId = deliveryId
    }
}

/// Why an authentic body could not become an event (a 400 `invalid_payload`; the body is kept for review).
///
/// The detail names the field or the rule, never a value from the body.
public struct DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var detail: String

    public init(_ detail: String) {
        self.detail = detail
    }

    public var description: String { detail }
}
