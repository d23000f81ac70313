/// Adapts a synchronous closure to ``HTTPResponder``.
public struct ClosureResponder: HTTPResponder {
    private let handler: @Sendable (HTTPRequest) -> HTTPResponse

    public init(_ handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
        self.handler = handler
    }

    public func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        writer.write(handler(request))
    }
}
