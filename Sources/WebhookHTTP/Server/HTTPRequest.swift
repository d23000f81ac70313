/// A complete request as a responder sees it: head, the whole body, and the peer's address.
public struct HTTPRequest: Sendable {
    public var head: HTTPRequestHead
    /// The body bytes (de-chunked), at most `maxBodyBytes`.
    public var body: [UInt8]
    /// The peer's IP address as text (`127.0.0.1`, `::1`), without the port.
    public var remoteAddress: String
    /// A short identifier of this request for logs (unique within the process).
    public var requestID: String

    public init(head: HTTPRequestHead, body: [UInt8], remoteAddress: String, requestID: String) {
        self.head = head
        self.body = body
        self.remoteAddress = remoteAddress
        self.requestID = requestID
    }
}
