/// What is learnt about a request before its body is read, kept with it from preflight to respond.
///
/// The server makes one per request head and passes it to ``HTTPResponder/preflight(_:context:)``, where the
/// router records the route it matched and the route's responder what it admitted; the request then reaches
/// ``HTTPResponder/respond(to:writer:)`` with this context in ``HTTPRequest/context``. So the route is looked
/// up once, and preflight's checks run once, per request.
public struct HTTPRequestContext: Sendable {
    /// The peer's IP address as text (`127.0.0.1`, `::1`), without the port.
    public var remoteAddress: String
    /// The route the router matched; nil before routing, or for a request no router has seen.
    public internal(set) var route: RouteMatch?
    /// What the route's responder decided in its preflight, for its own `respond` (the server only keeps it):
    /// a request that reaches `respond` without it did not pass that preflight.
    public var admission: (any Sendable)?

    public init(remoteAddress: String) {
        self.remoteAddress = remoteAddress
    }
}
