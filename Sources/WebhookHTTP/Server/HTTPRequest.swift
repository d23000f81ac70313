/// A complete request as a responder sees it: head, the whole body, and what preflight learned about it.
public struct HTTPRequest: Sendable {
    public var head: HTTPRequestHead
    /// The body bytes (de-chunked), at most `maxBodyBytes`.
    public var body: [UInt8]
    /// The peer's address, the route matched and the route responder's admission, as preflight left them.
    public var context: HTTPRequestContext
    /// A short identifier of this request for logs (unique within the process).
    public var requestID: String

    /// The peer's IP address as text (`127.0.0.1`, `::1`), without the port.
    public var remoteAddress: String {
        get { context.remoteAddress }
        set { context.remoteAddress = newValue }
    }

    /// A request with the context its preflight filled in (what the server builds).
    public init(head: HTTPRequestHead, body: [UInt8], context: HTTPRequestContext, requestID: String) {
        self.head = head
        self.body = body
        self.context = context
        self.requestID = requestID
    }

    /// A request that went through no preflight: no route, no admission.
    public init(head: HTTPRequestHead, body: [UInt8], remoteAddress: String, requestID: String) {
        self.init(
            head: head,
            body: body,
            context: HTTPRequestContext(remoteAddress: remoteAddress),
            requestID: requestID
        )
    }
}
