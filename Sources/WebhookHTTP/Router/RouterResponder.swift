/// The frozen routing table: finds the route of each request and hands it over; lock-free and immutable.
public struct RouterResponder: HTTPResponder {
    struct Route: Sendable {
        var methods: [String]
        var matchesOneMoreSegment: Bool
        var responder: any HTTPResponder
        /// Built once: the 405 with its `Allow` field.
        var methodNotAllowed: HTTPResponse
    }

    private let routes: [String: Route]
    private static let notFound = HTTPResponse.json(404, "{\"error\":\"not_found\"}")
    /// `OPTIONS *` and `CONNECT host:port`, the only asterisk- and authority-form requests the parser lets
    /// through, name no resource: the server implements neither server-wide OPTIONS nor tunnels (docs/http.md).
    private static let notImplemented = HTTPResponse.json(501, "{\"error\":\"not_implemented\"}")

    init(routes: [String: Route]) {
        self.routes = routes
    }

    /// The route serving `path`: an exact match, else a route that takes one more segment.
    func route(for path: Substring) -> Route? {
        if let route = routes[String(path)] { return route }
        guard let slash = path.lastIndex(of: "/"), slash > path.startIndex,
            path.index(after: slash) < path.endIndex
        else { return nil }
        guard let route = routes[String(path[..<slash])], route.matchesOneMoreSegment else { return nil }
        return route
    }

    public func preflight(_ head: HTTPRequestHead, remoteAddress: String) -> HTTPResponse? {
        let path = head.path
        guard path.first == "/" else { return Self.notImplemented }
        guard let route = route(for: path) else { return Self.notFound }
        guard route.methods.contains(head.method) else { return route.methodNotAllowed }
        return route.responder.preflight(head, remoteAddress: remoteAddress)
    }

    public func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        // Preflight has already refused unknown paths and methods; checked again so that `respond` is safe
        // to call on its own (tests, or a server that skips preflight).
        let path = request.head.path
        guard path.first == "/" else {
            writer.write(Self.notImplemented)
            return
        }
        guard let route = route(for: path) else {
            writer.write(Self.notFound)
            return
        }
        guard route.methods.contains(request.head.method) else {
            writer.write(route.methodNotAllowed)
            return
        }
        route.responder.respond(to: request, writer: writer)
    }
}
