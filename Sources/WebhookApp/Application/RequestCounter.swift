import SystemSupport
import WebhookHTTP

/// Wraps the router to count every answered request by configured route and status, with its duration.
///
/// The route label is the configured path, never the request's: `/webhooks/argos/<token>` counts as
/// `/webhooks/argos`, so a token never reaches a label; unknown paths count as `unmatched`.
struct RequestCounter: HTTPResponder {
    let inner: any HTTPResponder
    let metrics: WebhookMetrics
    /// Configured route paths whose requests may carry one more segment (ARGOS tokens).
    let segmentRoutes: [String]

    init(inner: any HTTPResponder, metrics: WebhookMetrics, segmentRoutes: [String] = []) {
        self.inner = inner
        self.metrics = metrics
        self.segmentRoutes = segmentRoutes
    }

    func preflight(_ head: HTTPRequestHead, remoteAddress: String) -> HTTPResponse? {
        guard let response = inner.preflight(head, remoteAddress: remoteAddress) else { return nil }
        metrics.recordRequest(route: routeLabel(head.path), status: response.status, duration: .zero)
        return response
    }

    func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        let started = monotonicNanoseconds()
        let route = routeLabel(request.head.path)
        let metrics = self.metrics
        inner.respond(
            to: request,
            writer: HTTPResponseWriter { response in
                let elapsed = monotonicNanoseconds() &- started
                metrics.recordRequest(route: route, status: response.status, duration: .nanoseconds(Int64(elapsed)))
                writer.write(response)
            }
        )
    }

    private func routeLabel(_ path: Substring) -> String {
        for route in segmentRoutes where path.count > route.count && path.hasPrefix(route) {
            if path[path.index(path.startIndex, offsetBy: route.count)] == "/" { return route }
        }
        return String(path)
    }
}
