import WebhookHTTP
import WebhookStore

/// `GET /healthz`: 200 while the process runs.
struct HealthResponder: HTTPResponder {
    func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        writer.write(.json(200, #"{"status":"ok"}"#))
    }
}

/// `GET /readyz`: 200 when the store answers, else 503.
struct ReadinessResponder: HTTPResponder {
    let inbox: any Inbox

    func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        // Not the hot path: a task per probe is fine, and it keeps the store's async API.
        Task { [inbox] in
            do {
                try await inbox.ping()
                writer.write(.json(200, #"{"status":"ready"}"#))
            } catch {
                writer.write(WebhookReceiver.unavailable)
            }
        }
    }
}

/// `GET /metrics`: the Prometheus text exposition.
struct MetricsResponder: HTTPResponder {
    let render: @Sendable () -> String

    func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        var fields = HTTPFields()
        fields.append(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
        writer.write(HTTPResponse(status: 200, fields: fields, body: Array(render().utf8)))
    }
}
