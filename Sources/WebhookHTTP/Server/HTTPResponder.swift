/// What the server calls with each request. Built once, then shared by every event loop, so it is `Sendable`.
public protocol HTTPResponder: Sendable {
    /// Looks at a request head before its body is read, on the event-loop thread; called once per request.
    ///
    /// Return a response to refuse the request at once (404, 405, 401 for a missing signature); the server
    /// then drains exactly the declared body, or closes when draining is not possible. Return nil to read
    /// the body and call ``respond(to:writer:)`` with `context` as left here: record in it what `respond`
    /// needs from this decision (the router records its match), rather than deciding it again. Must not block.
    func preflight(_ head: HTTPRequestHead, context: inout HTTPRequestContext) -> HTTPResponse?

    /// Answers a complete request whose preflight returned nil. Called on the event-loop thread; must not
    /// block.
    ///
    /// Call `writer.write(_:)` exactly once, from any thread, now or later (after a store commit, say).
    /// Written on the loop thread during this call, the response goes out as soon as `respond` returns, with
    /// no wake-up; from another thread, it is queued for the loop, which an eventfd wakes. The connection
    /// reads no further request until this response is written. A second call, or a call after the
    /// connection closed (client gone, shutdown deadline), is dropped quietly.
    func respond(to request: HTTPRequest, writer: HTTPResponseWriter)
}

extension HTTPResponder {
    public func preflight(_ head: HTTPRequestHead, context: inout HTTPRequestContext) -> HTTPResponse? { nil }
}

/// Hands a response back to the connection that asked for it; callable once, from any thread.
public struct HTTPResponseWriter: Sendable {
    private let deliver: @Sendable (HTTPResponse) -> Void

    public init(_ deliver: @escaping @Sendable (HTTPResponse) -> Void) {
        self.deliver = deliver
    }

    public func write(_ response: HTTPResponse) {
        deliver(response)
    }
}
