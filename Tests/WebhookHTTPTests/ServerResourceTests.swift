import Testing
import WebhookTesting

@testable import WebhookHTTP

/// What the listener holds is released when it stops, even with a response still on its way.
@Suite struct ServerResourceTests {
    private final class WeakLoop: @unchecked Sendable {
        weak var loop: EventLoop?
        init(_ loop: EventLoop) { self.loop = loop }
    }

    /// Polls (bounded) until every loop is deallocated: a loop's thread lets go of it just after it exits.
    private static func released(_ loops: [WeakLoop]) async throws -> Bool {
        for _ in 0..<200 {
            if loops.allSatisfy({ $0.loop == nil }) { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    /// Each loop, and with it its eventfd (closed in `deinit`), is released after shutdown.
    @Test func eventLoopsAreReleasedAfterShutdown() async throws {
        let loops = try await withServer(HTTPServerConfiguration(port: 0, eventLoopCount: 2)) { server in
            let loops = server.runningEventLoops.map(WeakLoop.init)
            #expect(loops.count == 2)
            let client = try LoopbackClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            client.close()
            return loops
        }
        // The scope shut the server down, waited for it and let it go.
        #expect(try await Self.released(loops))
    }

    /// A response written from another thread after its loop has exited (the shutdown deadline passed while
    /// a commit was slow) is dropped; the writer keeps the loop, and its eventfd open, until it is let go.
    @Test func aResponseAfterTheLoopExitedIsDropped() async throws {
        let responder = DeferredResponder()
        let configuration = HTTPServerConfiguration(port: 0, eventLoopCount: 1)
        // Kept out here, so that the pending writer outlives the server.
        var pending: [(HTTPRequest, HTTPResponseWriter)] = []
        let (loops, closed) = try await withServer(configuration, responder: responder) { server in
            let loops = server.runningEventLoops.map(WeakLoop.init)
            let client = try LoopbackClient(port: server.port)
            try client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
            pending = try await responder.take(1)
            server.shutdown(deadlineSeconds: 0.2)
            await server.waitUntilStopped()
            return (loops, client.waitForClose())
        }
        #expect(closed)
        #expect(loops.first?.loop != nil, "the pending writer still holds its loop")
        pending[0].1.write(HTTPResponse(status: 200))
        pending.removeAll()
        #expect(try await Self.released(loops))
    }
}
