import Glibc
import Synchronization
import Testing
import WebhookHTTP
import WebhookTesting

/// Limits and timeouts of the listener (docs/reference.md §3 `limits`, §4).
@Suite struct ServerLimitsTests {
    private static func configuration(
        maxBodyBytes: Int = 1_048_576,
        headerTimeout: Double = 10,
        bodyTimeout: Double = 30,
        idleTimeout: Double = 75,
        maxConnections: Int = 1024
    ) -> HTTPServerConfiguration {
        HTTPServerConfiguration(
            port: 0,
            parserLimits: HTTPParserLimits(maxHeaderBytes: 4096, maxTargetLength: 1024, maxBodyBytes: maxBodyBytes),
            headerTimeoutSeconds: headerTimeout,
            bodyTimeoutSeconds: bodyTimeout,
            idleTimeoutSeconds: idleTimeout,
            maxConnections: maxConnections,
            eventLoopCount: 2
        )
    }

    /// A client that declares 10 MB gets 413 and a close without sending a byte of the body.
    @Test func declaredBodyOverLimitGets413BeforeTheBody() async throws {
        try await withServer(Self.configuration()) { server in
            let client = try LoopbackClient(port: server.port)
            try client.send("POST /big HTTP/1.1\r\nHost: t\r\nContent-Length: 10485760\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.header("Connection") == "close")
            #expect(response.text == #"{"error":"payload_too_large"}"#)
            #expect(client.waitForClose())
        }
    }

    @Test func chunkedBodyOverLimitGets413() async throws {
        try await withServer(Self.configuration(maxBodyBytes: 16)) { server in
            let client = try LoopbackClient(port: server.port)
            try client.send(
                "POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n1\r\nx\r\n"
            )
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.header("Connection") == "close")
            #expect(client.waitForClose())
        }
    }

    @Test func oversizedHeaderSectionGets431() async throws {
        try await withServer(Self.configuration()) { server in
            let client = try LoopbackClient(port: server.port)
            let filler = String(repeating: "a", count: 5000)
            try client.send("GET / HTTP/1.1\r\nHost: t\r\nX-Filler: \(filler)\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 431)
            #expect(response.header("Connection") == "close")
            #expect(client.waitForClose())
        }
    }

    @Test func overlongTargetGets414() async throws {
        try await withServer(Self.configuration()) { server in
            let client = try LoopbackClient(port: server.port)
            let path = "/" + String(repeating: "p", count: 2000)
            try client.send("GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 414)
            #expect(response.text == #"{"error":"uri_too_long"}"#)
            #expect(client.waitForClose())
        }
    }

    /// Beyond `maxConnections` a new connection is accepted and closed at once, and the observer is told
    /// before the close (a slow observer must not let the client see the close first); once one closes, a new
    /// one is served again.
    @Test func connectionsBeyondTheLimitAreClosed() async throws {
        let refusals = Mutex<[RefusedConnection]>([])
        var configuration = Self.configuration(maxConnections: 2)
        configuration.onRefusedConnection = { refusal in
            usleep(100_000)
            refusals.withLock { $0.append(refusal) }
        }
        try await withServer(configuration) { server in
            var open: [LoopbackClient] = []
            for index in 0..<2 {
                let client = try LoopbackClient(port: server.port)
                try client.send("GET /\(index) HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try client.readResponse().status == 200)
                open.append(client)
            }
            #expect(server.openConnections == 2)
            #expect(refusals.withLock { $0 }.isEmpty)
            let refused = try LoopbackClient(port: server.port)
            #expect(refused.waitForClose())
            #expect(refused.unreadBytes.isEmpty)
            #expect(refusals.withLock { $0 } == [.overLimit])
            #expect(server.openConnections == 2)
            open[0].close()
            // The server notices the close asynchronously: retry for a while.
            var served = false
            for _ in 0..<50 where !served {
                try await Task.sleep(for: .milliseconds(50))
                guard let client = try? LoopbackClient(port: server.port, timeoutSeconds: 2) else { continue }
                try? client.send("GET /again HTTP/1.1\r\nHost: t\r\n\r\n")
                served = (try? client.readResponse().status) == 200
            }
            #expect(served)
            #expect(try open[1].send("GET /still HTTP/1.1\r\nHost: t\r\n\r\n") == ())
            #expect(try open[1].readResponse().status == 200)
        }
    }

    /// The whole-head deadline runs from the first byte: a trickle of one byte per 100 ms does not extend it.
    @Test func tricklingHeadGets408AtTheHeaderDeadline() async throws {
        try await withServer(Self.configuration(headerTimeout: 1)) { server in
            let client = try LoopbackClient(port: server.port, timeoutSeconds: 0.2)
            let clock = ContinuousClock()
            let start = clock.now
            let head = Array("GET / HTTP/1.1\r\nHost: t\r\nX-Slow: \(String(repeating: "s", count: 200))\r\n\r\n".utf8)
            var sent = 0
            var response: LoopbackResponse?
            while sent < head.count, clock.now - start < .seconds(8) {
                do {
                    try client.send([head[sent]])
                } catch {
                    break // closed by the server
                }
                sent += 1
                if let answer = try? client.readResponse() {
                    response = answer
                    break
                }
            }
            let elapsed = clock.now - start
            let answer = try #require(response)
            #expect(answer.status == 408)
            #expect(answer.header("Connection") == "close")
            #expect(sent < head.count)
            #expect(elapsed >= .milliseconds(900))
            #expect(elapsed < .seconds(6))
        }
    }

    @Test func slowBodyGets408AtTheBodyDeadline() async throws {
        try await withServer(Self.configuration(bodyTimeout: 0.5)) { server in
            let client = try LoopbackClient(port: server.port, timeoutSeconds: 5)
            try client.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
            let response = try client.readResponse()
            #expect(response.status == 408)
            #expect(response.text == #"{"error":"request_timeout"}"#)
            #expect(client.waitForClose())
        }
    }

    /// An idle kept-alive connection is closed silently after the idle timeout.
    @Test func idleConnectionIsClosedSilently() async throws {
        try await withServer(Self.configuration(idleTimeout: 0.5)) { server in
            let client = try LoopbackClient(port: server.port, timeoutSeconds: 5)
            try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            let clock = ContinuousClock()
            let start = clock.now
            #expect(client.waitForClose())
            #expect(client.unreadBytes.isEmpty)
            #expect(clock.now - start >= .milliseconds(400))
        }
    }

    /// Between requests the idle timeout applies, not the (shorter) header timeout.
    @Test func keptAliveConnectionOutlivesTheHeaderTimeout() async throws {
        try await withServer(Self.configuration(headerTimeout: 0.3, idleTimeout: 10)) { server in
            let client = try LoopbackClient(port: server.port, timeoutSeconds: 5)
            try client.send("GET /1 HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            try await Task.sleep(for: .milliseconds(1200))
            try client.send("GET /2 HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().text == "GET /2 0\n")
        }
    }

    /// A new connection that never sends a byte is closed at the header timeout (not the much longer idle
    /// timeout), without a 408.
    @Test func silentNewConnectionIsClosedWithoutResponse() async throws {
        try await withServer(Self.configuration(headerTimeout: 0.5, idleTimeout: 30)) { server in
            let client = try LoopbackClient(port: server.port, timeoutSeconds: 5)
            #expect(client.waitForClose())
            #expect(client.unreadBytes.isEmpty)
        }
    }
}
