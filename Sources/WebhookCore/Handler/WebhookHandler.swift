/// What a handler is told besides the event.
public struct HandlerContext: Sendable {
    /// The handler's configured name.
    public var handlerName: String
    /// 1 for the first attempt.
    public var attempt: Int
    /// The event exactly as handlers receive it on the wire (docs/reference.md §5 JSON).
    public var eventJSON: [UInt8]

    public init(handlerName: String, attempt: Int, eventJSON: [UInt8]) {
        self.handlerName = handlerName
        self.attempt = attempt
        self.eventJSON = eventJSON
    }
}

/// Something that acts on events: the built-in `log`, `file`, `exec` and `http` handlers, and library users' own.
///
/// Throwing (or exceeding a timeout) fails the attempt; the dispatcher retries it with backoff.
public protocol WebhookHandler: Sendable {
    func handle(_ event: WebhookEvent, context: HandlerContext) async throws
}
