import Synchronization
import WebhookHTTP
import WebhookTesting

/// Starts a real server on 127.0.0.1:0 (unless the configuration says otherwise), runs `body`, then shuts it
/// down gracefully and waits for it (Hummingbird's `testServer` shape), whether `body` returned, threw, or
/// left a failed expectation behind. A body may shut the server down itself (shutting down twice is harmless).
///
/// `body` runs on a thread of its own (``Blocking/onThread(isolation:_:)``): it may use a blocking
/// ``LoopbackClient`` directly without holding a thread of the cooperative pool.
func withServer<R>(
    _ configuration: HTTPServerConfiguration = HTTPServerConfiguration(port: 0, eventLoopCount: 2),
    responder: any HTTPResponder = EchoResponder(),
    _ body: (HTTPServer) async throws -> R
) async throws -> R {
    var configuration = configuration
    if configuration.port == 8080 { configuration.port = 0 }
    let server = HTTPServer(configuration: configuration, responder: responder)
    try server.start()
    do {
        let result = try await Blocking.onThread { try await body(server) }
        server.shutdown(deadlineSeconds: 5)
        await server.waitUntilStopped()
        return result
    } catch {
        server.shutdown(deadlineSeconds: 1)
        await server.waitUntilStopped()
        throw error
    }
}

/// Answers every request at once with `200` and a text body naming the method, target and body length; the
/// body itself is echoed after a newline.
struct EchoResponder: HTTPResponder {
    func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        var body = Array("\(request.head.method) \(request.head.target) \(request.body.count)\n".utf8)
        body.append(contentsOf: request.body)
        writer.write(
            HTTPResponse(
                status: 200,
                fields: HTTPFields([.init(name: "Content-Type", value: "text/plain")]),
                body: body
            )
        )
    }
}

/// Keeps every writer so the test answers later, from its own thread.
final class DeferredResponder: HTTPResponder {
    private let pending = Mutex<[(HTTPRequest, HTTPResponseWriter)]>([])

    func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        pending.withLock { $0.append((request, writer)) }
    }

    /// How many requests wait for an answer.
    var count: Int { pending.withLock { $0.count } }

    /// Waits (polling, bounded) until `count` requests are waiting, and takes them.
    ///
    /// The bound is generous: when the whole package's tests run in parallel, blocking tests can hold the
    /// cooperative pool for seconds, and this poll only runs when a pool thread is free.
    func take(_ count: Int, timeoutSeconds: Double = 30) async throws -> [(HTTPRequest, HTTPResponseWriter)] {
        let clock = ContinuousClock()
        let deadline = clock.now + .milliseconds(Int(timeoutSeconds * 1000))
        while clock.now < deadline {
            let taken: [(HTTPRequest, HTTPResponseWriter)]? = pending.withLock { items in
                guard items.count >= count else { return nil }
                let first = Array(items.prefix(count))
                items.removeFirst(count)
                return first
            }
            if let taken { return taken }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestTimeout(what: "\(count) pending requests")
    }
}

struct TestTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}
