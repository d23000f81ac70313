import Testing
import WebhookHTTP
import WebhookTesting

@Suite struct ServerEndToEndTests {
    @Test func answersGetOnLoopback() async throws {
        try await withServer { server in
            let client = try LoopbackClient(port: server.port)
            try client.send("GET /hello?x=1 HTTP/1.1\r\nHost: test\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "GET /hello?x=1 0\n")
            #expect(response.header("Content-Length") == "17")
            #expect(response.header("Connection") == nil)
        }
    }
}
