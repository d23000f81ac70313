/// Registers routes, then freezes them into an immutable responder (CONTRIBUTING.md rule 14).
///
/// Paths match exactly (no percent-decoding, no trailing-slash folding); the query is ignored. A route may
/// also match one more path segment (`/webhooks/argos/<token>`). The match (``RouteMatch``: the route and
/// that segment) goes into the request's ``HTTPRequestContext``, so the route's responder and whoever wraps
/// the router read it there instead of matching the path again. Unknown paths get 404 `{"error":"not_found"}`, known paths with another method
/// get 405 with `Allow` and `{"error":"method_not_allowed"}`; both are decided in preflight, before the body
/// is read. Targets in absolute form (`http://host/webhooks/gu1`) are routed by their path; `OPTIONS *` and
/// `CONNECT host:port` get 501 `{"error":"not_implemented"}` (docs/http.md). A route's responder is any
/// ``HTTPResponder``, so it gets its own preflight too (to refuse a missing signature before the body, say).
///
/// ```swift
/// var router = Router()
/// router.add("/healthz", methods: ["GET", "HEAD"]) { _ in .json(200, "{\"status\":\"ok\"}") }
/// router.add("/webhooks/argos", methods: ["POST"], matchingOneMoreSegment: true, responder: argosResponder)
/// let server = HTTPServer(configuration: configuration, responder: router.buildResponder())
/// ```
public struct Router: Sendable {
    private var routes: [String: RouterResponder.Route] = [:]

    public init() {}

    /// Adds a route served by `responder`.
    ///
    /// - Parameters:
    ///   - path: the exact path, starting with `/` (no query; a path without the slash never matches, since
    ///     request targets in origin form start with one). Adding a path again replaces its route.
    ///   - methods: the methods allowed (case-sensitive tokens, `POST`); others get 405.
    ///   - matchingOneMoreSegment: also match `path + "/" + segment` for one non-empty segment.
    ///   - responder: answers the route's requests; its preflight runs after the router's.
    public mutating func add(
        _ path: String,
        methods: [String],
        matchingOneMoreSegment: Bool = false,
        responder: any HTTPResponder
    ) {
        var allowed: [String] = []
        for method in methods where !allowed.contains(method) { allowed.append(method) }
        routes[path] = RouterResponder.Route(
            path: path,
            methods: allowed,
            matchesOneMoreSegment: matchingOneMoreSegment,
            responder: responder,
            methodNotAllowed: .error(
                405,
                "method_not_allowed",
                fields: HTTPFields([.init(name: "Allow", value: allowed.joined(separator: ", "))])
            )
        )
    }

    /// Adds a route answered synchronously by `handler` (health checks, metrics).
    ///
    /// - Parameters:
    ///   - path: the exact path.
    ///   - methods: the methods allowed.
    ///   - matchingOneMoreSegment: also match one more path segment.
    ///   - handler: returns the response; runs on the event-loop thread, so it must not block.
    public mutating func add(
        _ path: String,
        methods: [String],
        matchingOneMoreSegment: Bool = false,
        handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
    ) {
        add(
            path,
            methods: methods,
            matchingOneMoreSegment: matchingOneMoreSegment,
            responder: ClosureResponder(handler)
        )
    }

    /// Freezes the routes into an immutable, `Sendable` responder for ``HTTPServer``.
    public func buildResponder() -> RouterResponder {
        RouterResponder(routes: routes)
    }
}
