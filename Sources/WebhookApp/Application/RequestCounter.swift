import SystemSupport
import WebhookHTTP

/// Wraps the router to count every answered request by configured route and status, with its duration.
///
/// The route label is the path of the route the router matched, never the request's: `/webhooks/argos/<token>`
/// counts as `/webhooks/argos`, so a token never reaches a label; unknown paths count as `unmatched`.
struct RequestCounter: HTTPResponder {
    let inner: any HTTPResponder
    let metrics: WebhookMetrics

    func preflight(_ head: HTTPRequestHead, context: inout HTTPRequestContext) -> HTTPResponse? {
        guard let response = inner.preflight(head, context: &context) else { return nil }
        metrics.recordRequest(route: Self.label(context.route), status: response.status, duration: .zero)
        return response
    }

    func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        let started = monotonicNanoseconds()
        let route = Self.label(request.context.route)
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

    private static func label(_ match: RouteMatch?) -> String {
        match?.path ?? WebhookMetrics.unmatchedRoute
    }
}
