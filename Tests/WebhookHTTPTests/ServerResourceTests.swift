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
        var server: HTTPServer? = HTTPServer(
            configuration: HTTPServerConfiguration(port: 0, eventLoopCount: 2),
            responder: EchoResponder()
        )
        try server?.start()
        let loops = (server?.runningEventLoops ?? []).map(WeakLoop.init)
        #expect(loops.count == 2)
        let client = try LoopbackClient(port: server?.port ?? 0)
        try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try client.readResponse().status == 200)
        client.close()
        server?.shutdown(deadlineSeconds: 5)
        await server?.waitUntilStopped()
        server = nil
        #expect(try await Self.released(loops))
    }

    /// A response written from another thread after its loop has exited (the shutdown deadline passed while
    /// a commit was slow) is dropped; the writer keeps the loop, and its eventfd open, until it is let go.
    @Test func aResponseAfterTheLoopExitedIsDropped() async throws {
        let responder = DeferredResponder()
        var server: HTTPServer? = HTTPServer(
            configuration: HTTPServerConfiguration(port: 0, eventLoopCount: 1),
            responder: responder
        )
        try server?.start()
        let loops = (server?.runningEventLoops ?? []).map(WeakLoop.init)
        let client = try LoopbackClient(port: server?.port ?? 0)
        try client.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        var pending = try await responder.take(1)
        server?.shutdown(deadlineSeconds: 0.2)
        await server?.waitUntilStopped()
        server = nil
        #expect(client.waitForClose())
        #expect(loops.first?.loop != nil, "the pending writer still holds its loop")
        pending[0].1.write(HTTPResponse(status: 200))
        pending.removeAll()
        #expect(try await Self.released(loops))
    }
}
