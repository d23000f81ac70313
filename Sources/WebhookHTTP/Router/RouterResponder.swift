/// The frozen routing table: finds the route of each request and hands it over; lock-free and immutable.
public struct RouterResponder: HTTPResponder {
    struct Route: Sendable {
        /// The path it was added with.
        var path: String
        var methods: [String]
        var matchesOneMoreSegment: Bool
        var responder: any HTTPResponder
        /// Built once: the 405 with its `Allow` field.
        var methodNotAllowed: HTTPResponse
    }

    private let routes: [String: Route]
    private static let notFound = HTTPResponse.error(404, "not_found")
    /// `OPTIONS *` and `CONNECT host:port`, the only asterisk- and authority-form requests the parser lets
    /// through, name no resource: the server implements neither server-wide OPTIONS nor tunnels (docs/http.md).
    private static let notImplemented = HTTPResponse.error(501, "not_implemented")

    init(routes: [String: Route]) {
        self.routes = routes
    }

    /// The route serving `path`: an exact match, else a route that takes one more segment.
    func match(_ path: Substring) -> RouteMatch? {
        if let route = routes[String(path)] { return RouteMatch(route: route, segment: nil) }
        guard let slash = path.lastIndex(of: "/"), slash > path.startIndex,
            path.index(after: slash) < path.endIndex
        else { return nil }
        guard let route = routes[String(path[..<slash])], route.matchesOneMoreSegment else { return nil }
        return RouteMatch(route: route, segment: path[path.index(after: slash)...])
    }

    /// Matches the route (kept in `context` for `respond`, and for the route's responder), refuses what it
    /// does not serve, then runs the route's own preflight.
    public func preflight(_ head: HTTPRequestHead, context: inout HTTPRequestContext) -> HTTPResponse? {
        let path = head.path
        guard path.first == "/" else { return Self.notImplemented }
        guard let match = match(path) else { return Self.notFound }
        context.route = match
        guard match.route.methods.contains(head.method) else { return match.route.methodNotAllowed }
        return match.route.responder.preflight(head, context: &context)
    }

    /// Hands the request to the route its preflight matched.
    public func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        guard let route = request.context.route?.route else {
            // Only a request that skipped preflight has no match; it is not routed a second way.
            writer.write(Self.notFound)
            return
        }
        route.responder.respond(to: request, writer: writer)
    }
}
