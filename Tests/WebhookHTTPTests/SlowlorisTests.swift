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
            let head = Array(
                "POST /slow HTTP/1.1\r\nHost: t\r\nX-Padding: \(String(repeating: "p", count: 100))\r\n".utf8
            )
            var slow: [LoopbackClient] = []
            for _ in 0..<count {
                let client = try LoopbackClient(port: server.port, timeoutSeconds: 3)
                // The first byte at once: from it runs the header deadline (a silent connection would instead
                // be closed without an answer).
                try client.send([head[0]])
                slow.append(client)
            }
            var closed = Set<Int>()
            let clock = ContinuousClock()
            let start = clock.now
            var normalLatency: Duration?
            var round = 1
            // Trickle one byte per connection every 100 ms for at least 2.5 s (the deadline is 1 s), and send
            // one normal request while they trickle. Rounds are not counted on: a loaded machine may run fewer.
            repeat {
                for (index, client) in slow.enumerated() where !closed.contains(index) {
                    do {
                        try client.send([head[round % head.count]])
                    } catch {
                        closed.insert(index)
                    }
                }
                if normalLatency == nil && clock.now - start >= .milliseconds(300) {
                    let normal = try LoopbackClient(port: server.port, timeoutSeconds: 5)
                    let sent = clock.now
                    try normal.send("GET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
                    let response = try normal.readResponse()
                    normalLatency = clock.now - sent
                    #expect(response.status == 200)
                }
                round += 1
                try await Task.sleep(for: .milliseconds(100))
            } while clock.now - start < .milliseconds(2500) || normalLatency == nil
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
