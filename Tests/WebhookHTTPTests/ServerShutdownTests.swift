import Testing
import WebhookHTTP
import WebhookTesting

/// Graceful shutdown: stop accepting, finish in-flight requests, close idle connections, then stop.
@Suite struct ServerShutdownTests {
    /// A response written after shutdown began (as after a store commit) still reaches its client, with
    /// `Connection: close`; new connections are refused; idle connections are closed.
    @Test func inFlightRequestFinishesAfterShutdownBegins() async throws {
        let responder = DeferredResponder()
        try await withServer(HTTPServerConfiguration(port: 0, eventLoopCount: 2), responder: responder) { server in
            let port = server.port
            #expect(port > 0)

            let busy = try LoopbackClient(port: port)
            try busy.send("POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok")
            let idle = try LoopbackClient(port: port)
            try idle.send("GET /first HTTP/1.1\r\nHost: t\r\n\r\n")
            let pending = try await responder.take(2)
            let busyWriter = try #require(pending.first { $0.0.head.target == "/slow" }?.1)
            let idleWriter = try #require(pending.first { $0.0.head.target == "/first" }?.1)
            idleWriter.write(HTTPResponse(status: 200))
            #expect(try idle.readResponse().status == 200)

            // A generous deadline: the test must not depend on how fast a loaded machine runs it; the server
            // stops as soon as the last connection closes anyway.
            server.shutdown(deadlineSeconds: 30)
            // The idle keep-alive connection is closed at once.
            #expect(idle.waitForClose())
            // New connections are refused (connect fails, or the socket is closed without an answer).
            var refused = false
            for _ in 0..<40 where !refused {
                if let late = try? LoopbackClient(port: port, timeoutSeconds: 1) {
                    try? late.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                    refused = late.waitForClose() && late.unreadBytes.isEmpty
                } else {
                    refused = true
                }
                if !refused { try await Task.sleep(for: .milliseconds(25)) }
            }
            #expect(refused)

            // The in-flight request is answered late, from another thread.
            await Task.detached { busyWriter.write(.json(200, #"{"status":"accepted"}"#)) }.value
            let response = try busy.readResponse()
            #expect(response.status == 200)
            #expect(response.header("Connection") == "close")
            #expect(busy.waitForClose())
            busy.close()
            await server.waitUntilStopped()
        }
    }

    /// Whatever is still open at the deadline is closed, and `wait()` returns.
    @Test func deadlineClosesUnansweredRequests() async throws {
        let responder = DeferredResponder()
        try await withServer(HTTPServerConfiguration(port: 0, eventLoopCount: 1), responder: responder) { server in
            let client = try LoopbackClient(port: server.port, timeoutSeconds: 5)
            try client.send("GET /never HTTP/1.1\r\nHost: t\r\n\r\n")
            let pending = try await responder.take(1)
            let clock = ContinuousClock()
            let start = clock.now
            server.shutdown(deadlineSeconds: 0.5)
            await server.waitUntilStopped()
            #expect(clock.now - start < .seconds(15))
            #expect(client.waitForClose())
            #expect(client.unreadBytes.isEmpty)
            // Too late: dropped quietly.
            pending[0].1.write(HTTPResponse(status: 200))
        }
    }

    @Test func shutdownBeforeStartAndTwiceIsHarmless() {
        let server = HTTPServer(configuration: HTTPServerConfiguration(port: 0), responder: EchoResponder())
        #expect(server.port == 0)
        server.shutdown()
        server.shutdown()
        server.wait()
        #expect(throws: HTTPServerError.alreadyStarted) { try server.start() }
    }

    @Test func portIsReadableAfterStop() async throws {
        try await withServer(HTTPServerConfiguration(port: 0, eventLoopCount: 1)) { server in
            let port = server.port
            server.shutdown(deadlineSeconds: 1)
            server.shutdown(deadlineSeconds: 1)
            await server.waitUntilStopped()
            #expect(server.port == port)
        }
    }
}
