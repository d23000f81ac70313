/// The route the router matched for one request, and the part of the path it matched beyond the route's own.
///
/// Set by ``RouterResponder`` in ``HTTPRequestContext/route`` before the route's responder runs its preflight,
/// and carried to `respond` with the request.
public struct RouteMatch: Sendable {
    /// The matched route: its path, methods and responder.
    let route: RouterResponder.Route
    /// The one more segment of the request's path (`<token>` of `/webhooks/argos/<token>`), or nil.
    public let segment: Substring?

    /// The path the route was added with (`/webhooks/argos`), whatever the request's path was.
    public var path: String { route.path }
}
