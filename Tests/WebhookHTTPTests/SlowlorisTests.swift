import Testing
import WebhookHTTP
import WebhookTesting

/// Slow clients cost a little memory each, never a thread: a few hundred connections trickling their heads
/// do not delay a normal request, and each of them gets 408 at the header deadline.
@Suite struct SlowlorisTests {
    @Test func tricklingConnectionsDoNotDelayOthersAndTimeOut() async throws {
        let configuration = HTTPServerConfiguration(
            port: 0,
            headerTimeoutSeconds: 1,
            idleTimeoutSeconds: 30,
            eventLoopCount: 2
        )
        try await withServer(configuration) { server in
            let count = 300
            var slow: [LoopbackClient] = []
            for _ in 0..<count {
                slow.append(try LoopbackClient(port: server.port, timeoutSeconds: 3))
            }
            let head = Array("POST /slow HTTP/1.1\r\nHost: t\r\nX-Padding: \(String(repeating: "p", count: 100))\r\n".utf8)
            var closed = Set<Int>()
            let clock = ContinuousClock()
            let start = clock.now
            var normalLatency: Duration?
            var round = 0
            // Trickle one byte per connection every 100 ms, for 2.5 s (the deadline is 1 s).
            while clock.now - start < .milliseconds(2500) {
                for (index, client) in slow.enumerated() where !closed.contains(index) {
                    do {
                        try client.send([head[round % head.count]])
                    } catch {
                        closed.insert(index)
                    }
                }
                if round == 4 {
                    let normal = try LoopbackClient(port: server.port, timeoutSeconds: 5)
                    let sent = clock.now
                    try normal.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
                    let response = try normal.readResponse()
                    normalLatency = clock.now - sent
                    #expect(response.status == 200)
                }
                round += 1
                try await Task.sleep(for: .milliseconds(100))
            }
            let latency = try #require(normalLatency)
            #expect(latency < .seconds(2))
            // Every trickling connection got 408 (or, having been closed, at least no other answer).
            var timedOut = 0
            for client in slow {
                if let response = try? client.readResponse() {
                    #expect(response.status == 408)
                    #expect(response.header("Connection") == "close")
                    timedOut += 1
                } else {
                    #expect(client.waitForClose())
                }
            }
            #expect(timedOut >= count * 9 / 10)
        }
    }
}
