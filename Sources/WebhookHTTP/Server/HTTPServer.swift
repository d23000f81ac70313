/// The HTTP/1.1 listener: non-blocking sockets, one epoll loop per thread, the parser, limits and timeouts.
///
/// ```swift
/// let server = HTTPServer(configuration: HTTPServerConfiguration(port: 0), responder: router)
/// try server.start()
/// print(server.port)
/// // …
/// server.shutdown()   // stop accepting, finish in-flight requests
/// server.wait()
/// ```
public final class HTTPServer: Sendable {
    public let configuration: HTTPServerConfiguration
    public let responder: any HTTPResponder

    public init(configuration: HTTPServerConfiguration, responder: any HTTPResponder) {
        self.configuration = configuration
        self.responder = responder
    }

    /// Binds, listens and starts the event-loop threads. Returns once the port accepts connections.
    public func start() throws {
        // Placeholder until the listener lands (issue #2).
    }

    /// The bound port (useful with port 0), or 0 before ``start()``.
    public var port: Int { 0 }

    /// Stops accepting, lets in-flight requests finish (within `deadlineSeconds`), then closes every connection.
    public func shutdown(deadlineSeconds: Double = 10) {}

    /// Blocks until the server has shut down.
    public func wait() {}
}
