import Glibc
import SystemSupport
import Testing
import WebhookHTTP
import WebhookTesting

/// The listener end to end over raw loopback sockets: framing, keep-alive, pipelining, versions, errors.
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

    /// The exchange runs off the cooperative pool, so a responder that answers from a task still can.
    @Test func clientOnItsOwnThreadGetsAnAnswerWrittenFromATask() async throws {
        struct TaskResponder: HTTPResponder {
            func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
                Task {
                    try? await Task.sleep(for: .milliseconds(20))
                    writer.write(HTTPResponse(status: 200, body: Array("later".utf8)))
                }
            }
        }
        try await withServer(responder: TaskResponder()) { server in
            // The responder's task needs a pool thread: other tests may hold them for seconds, so the read
            // timeout is generous.
            let response = try await LoopbackClient.withClient(port: server.port, timeoutSeconds: 30) { client in
                try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                return try client.readResponse()
            }
            #expect(response.text == "later")
        }
    }

    @Test func postWithContentLengthReachesTheResponderWhole() async throws {
        try await withServer { server in
            let client = try LoopbackClient(port: server.port)
            try client.send("POST /in HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello")
            try client.send(" world")
            let response = try client.readResponse()
            #expect(response.text == "POST /in 11\nhello world")
        }
    }

    @Test func chunkedBodyIsDechunked() async throws {
        try await withServer { server in
            let client = try LoopbackClient(port: server.port)
            try client.send("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
            try client.send("6\r\n world\r\n0\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.text == "POST /c 11\nhello world")
        }
    }

    /// One connection serves several requests in turn.
    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        try await withServer { server in
            let client = try LoopbackClient(port: server.port)
            for index in 0..<5 {
                try client.send("GET /\(index) HTTP/1.1\r\nHost: t\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.text == "GET /\(index) 0\n")
                #expect(response.header("Connection") == nil)
            }
        }
    }

    /// Three requests in one write are answered in order, even when the first is answered late from another
    /// thread: the second is not even parsed before the first response is written.
    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let responder = DeferredResponder()
        try await withServer(responder: responder) { server in
            let client = try LoopbackClient(port: server.port)
            try client.send(
                "GET /1 HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "POST /2 HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc"
                    + "GET /3 HTTP/1.1\r\nHost: t\r\n\r\n"
            )
            for expected in ["/1", "/2", "/3"] {
                let pending = try await responder.take(1)
                #expect(pending[0].0.head.target == expected)
                // Nothing else reached the responder while this one is unanswered.
                try await Task.sleep(for: .milliseconds(50))
                #expect(responder.count == 0)
                let body = Array("answer \(expected) \(pending[0].0.body.count)".utf8)
                let writer = pending[0].1
                // Written from another thread, as after a store commit.
                await Task.detached { writer.write(HTTPResponse(status: 200, body: body)) }.value
                let response = try client.readResponse()
                #expect(response.text == "answer \(expected) \(expected == "/2" ? 3 : 0)")
            }
        }
    }

    @Test func pipelinedBurstWithSynchronousResponder() async throws {
        try await withServer { server in
            let client = try LoopbackClient(port: server.port)
            var burst = ""
            for index in 0..<20 { burst += "GET /p\(index) HTTP/1.1\r\nHost: t\r\n\r\n" }
            try client.send(burst)
            for index in 0..<20 {
                #expect(try client.readResponse().text == "GET /p\(index) 0\n")
            }
        }
    }

    @Test func http10WithoutKeepAliveCloses() async throws {
        try await withServer { server in
            let client = try LoopbackClient(port: server.port)
            try client.send("GET /old HTTP/1.0\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.header("Connection") == "close")
            #expect(client.waitForClose())
        }
    }

    @Test func http10WithKeepAliveStaysOpen() async throws {
        try await withServer { server in
            let client = try LoopbackClient(port: server.port)
            for index in 0..<2 {
                try client.send("GET /k\(index) HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.text == "GET /k\(index) 0\n")
                #expect(response.header("Connection") == "keep-alive")
            }
        }
    }

    @Test func connectionCloseIsHonoured() async throws {
        try await withServer { server in
            let client = try LoopbackClient(port: server.port)
            try client.send("GET /a HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /b HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.text == "GET /a 0\n")
            #expect(response.header("Connection") == "close")
            #expect(client.waitForClose())
            #expect(client.unreadBytes.isEmpty)
        }
    }

    /// A responder may close the connection itself with `Connection: close`.
    @Test func responderCanAskToClose() async throws {
        struct ClosingResponder: HTTPResponder {
            func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
                writer.write(
                    .json(
                        503,
                        #"{"error":"unavailable"}"#,
                        fields: HTTPFields([.init(name: "Connection", value: "close")])
                    )
                )
            }
        }
        try await withServer(responder: ClosingResponder()) { server in
            let client = try LoopbackClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\nGET /next HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 503)
            #expect(response.headers.filter { $0.name == "Connection" }.map(\.value) == ["close"])
            #expect(client.waitForClose())
            #expect(client.unreadBytes.isEmpty)
        }
    }

    @Test func headResponseHasLengthButNoBody() async throws {
        try await withServer { server in
            let client = try LoopbackClient(port: server.port)
            try client.send("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\nGET /g HTTP/1.1\r\nHost: t\r\n\r\n")
            let head = try client.readResponse(toHEAD: true)
            #expect(head.header("Content-Length") == "10")
            #expect(head.body.isEmpty)
            #expect(try client.readResponse().text == "GET /g 0\n")
        }
    }

    /// The client waits for `100 Continue` before sending the body.
    @Test func expectContinueGetsInterimResponseBeforeBody() async throws {
        try await withServer { server in
            let client = try LoopbackClient(port: server.port)
            try client.send("POST /e HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
            let interim = try client.readResponse()
            #expect(interim.status == 100)
            try client.send("body")
            let final = try client.readResponse()
            #expect(final.text == "POST /e 4\nbody")
        }
    }

    /// A malformed request gets 400 with a JSON body and `Connection: close`; what follows is never read as
    /// a request.
    @Test(arguments: [
        "GARBAGE\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 5, 5\r\n\r\n",
        "\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}\u{fc}\u{03}\u{03}",
    ])
    func malformedRequestGets400AndClose(request: String) async throws {
        try await withServer { server in
            let client = try LoopbackClient(port: server.port)
            try client.send(request + "GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 400)
            #expect(response.header("Connection") == "close")
            #expect(response.text == #"{"error":"bad_request"}"#)
            #expect(client.waitForClose())
            #expect(client.unreadBytes.isEmpty)
        }
    }

    /// A head that arrives in pieces and turns out malformed is refused like one sent at once.
    @Test func malformedHeadArrivingInPiecesGets400() async throws {
        try await withServer { server in
            let client = try LoopbackClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: t\r\n")
            try await Task.sleep(for: .milliseconds(50))
            try client.send("Bad Field: x\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 400)
            #expect(response.header("Connection") == "close")
            #expect(client.waitForClose())
            #expect(client.unreadBytes.isEmpty)
        }
    }

    /// A POST with neither Content-Length nor Transfer-Encoding has an empty body (RFC 9112 §6.3): it reaches
    /// the route as such, never a 411, and the connection stays usable for the next request.
    @Test func aPostWithoutFramingHasAnEmptyBody() async throws {
        try await withServer { server in
            let client = try LoopbackClient(port: server.port)
            try client.send("POST /p HTTP/1.1\r\nHost: t\r\n\r\nGET /next HTTP/1.1\r\nHost: t\r\n\r\n")
            let first = try client.readResponse()
            #expect(first.status == 200)
            #expect(first.text == "POST /p 0\n")
            let second = try client.readResponse()
            #expect(second.status == 200)
            #expect(second.text == "GET /next 0\n")
        }
    }

    @Test func unknownTransferCodingGets501() async throws {
        try await withServer { server in
            let client = try LoopbackClient(port: server.port)
            try client.send("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 501)
            #expect(response.text == #"{"error":"not_implemented"}"#)
            #expect(client.waitForClose())
        }
    }

    /// Every response carries `Date` in IMF-fixdate (RFC 9110 §6.6.1), the current second: answers of the
    /// responder and refusals of the parser alike.
    @Test func everyResponseCarriesTheDate() async throws {
        try await withServer { server in
            let client = try LoopbackClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            let answered = try client.readResponse()
            try client.send("GET / HTTP/1.1\r\nHost:\r\n\r\n")
            let refused = try client.readResponse()
            #expect(refused.status == 400)
            for response in [answered, refused] {
                let date = try #require(response.header("Date"), "no Date in \(response.status)")
                let seconds = try #require(imfFixdateSeconds(date), "not an IMF-fixdate: \(date)")
                #expect(abs(seconds - time(nil)) <= 2, "Date \(date) is not now")
            }
        }
    }

    /// `POST http://host/webhooks/gu1` reaches the route of `/webhooks/gu1` (RFC 9112 §3.2.2).
    @Test func absoluteFormTargetIsRoutedByItsPath() async throws {
        var router = Router()
        router.add("/webhooks/gu1", methods: ["POST"]) { request in
            HTTPResponse(status: 200, body: Array("\(request.head.path) \(request.body.count)".utf8))
        }
        try await withServer(responder: router.buildResponder()) { server in
            let client = try LoopbackClient(port: server.port)
            try client.send(
                "POST http://127.0.0.1/webhooks/gu1 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}"
            )
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "/webhooks/gu1 2")
        }
    }

    @Test func servesIPv6LoopbackWhenAvailable() async throws {
        let probe = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        guard probe >= 0 else { return }
        close(probe)
        let configuration = HTTPServerConfiguration(host: "::1", port: 0, eventLoopCount: 1)
        try await withServer(configuration) { server in
            let client = try LoopbackClient(port: server.port, host: "::1")
            try client.send("GET /v6 HTTP/1.1\r\nHost: [::1]\r\n\r\n")
            #expect(try client.readResponse().text == "GET /v6 0\n")
        }
    }

    @Test func localhostListensOnBothLoopbacks() async throws {
        let configuration = HTTPServerConfiguration(host: "localhost", port: 0, eventLoopCount: 2)
        try await withServer(configuration) { server in
            let v4 = try LoopbackClient(port: server.port)
            try v4.send("GET /4 HTTP/1.1\r\nHost: localhost\r\n\r\n")
            #expect(try v4.readResponse().status == 200)
            if let v6 = try? LoopbackClient(port: server.port, host: "::1") {
                try v6.send("GET /6 HTTP/1.1\r\nHost: localhost\r\n\r\n")
                #expect(try v6.readResponse().status == 200)
            }
        }
    }

    @Test func responderSeesThePeerAddress() async throws {
        let responder = DeferredResponder()
        try await withServer(responder: responder) { server in
            let client = try LoopbackClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            let pending = try await responder.take(1)
            #expect(pending[0].0.remoteAddress == "127.0.0.1")
            #expect(!pending[0].0.requestID.isEmpty)
            pending[0].1.write(HTTPResponse(status: 204))
            #expect(try client.readResponse().status == 204)
        }
    }

    /// A response for a connection that died meanwhile is dropped; the server keeps serving.
    @Test func lateResponseForClosedConnectionIsDropped() async throws {
        let responder = DeferredResponder()
        try await withServer(responder: responder) { server in
            let gone = try LoopbackClient(port: server.port)
            try gone.send("GET /gone HTTP/1.1\r\nHost: t\r\n\r\n")
            let pending = try await responder.take(1)
            gone.close()
            try await Task.sleep(for: .milliseconds(100))
            let writer = pending[0].1
            await Task.detached { writer.write(HTTPResponse(status: 200)) }.value
            // Written twice: the second is ignored too.
            writer.write(HTTPResponse(status: 500))
            let next = try LoopbackClient(port: server.port)
            try next.send("GET /next HTTP/1.1\r\nHost: t\r\n\r\n")
            let second = try await responder.take(1)
            second[0].1.write(HTTPResponse(status: 202))
            #expect(try next.readResponse().status == 202)
        }
    }

    @Test func startFailsOnAPortInUse() async throws {
        try await withServer { server in
            let second = HTTPServer(
                configuration: HTTPServerConfiguration(port: server.port, eventLoopCount: 2),
                responder: EchoResponder()
            )
            #expect(throws: SystemError.self) { try second.start() }
            second.shutdown()
            second.wait()
        }
    }

    @Test func startRefusesHostNames() {
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(host: "example.com", port: 0),
            responder: EchoResponder()
        )
        #expect(throws: HTTPServerError.invalidHost("example.com")) { try server.start() }
    }
}

/// Responses larger than the socket buffer go out across several writes (EPOLLOUT), and the next pipelined
/// request is answered after them.
@Suite struct ServerLargeResponseTests {
    struct LargeResponder: HTTPResponder {
        func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
            if request.head.path == "/large" {
                var body = [UInt8](repeating: 0, count: 6_000_000)
                for index in stride(from: 0, to: body.count, by: 4096) {
                    body[index] = UInt8(truncatingIfNeeded: index / 4096)
                }
                writer.write(HTTPResponse(status: 200, body: body))
            } else {
                writer.write(HTTPResponse(status: 200, body: Array("small".utf8)))
            }
        }
    }

    @Test func largeResponseThenPipelinedRequest() async throws {
        try await withServer(responder: LargeResponder()) { server in
            let client = try LoopbackClient(port: server.port, timeoutSeconds: 8)
            try client.send("GET /large HTTP/1.1\r\nHost: t\r\n\r\nGET /small HTTP/1.1\r\nHost: t\r\n\r\n")
            // Let the server fill the socket buffer before reading.
            try await Task.sleep(for: .milliseconds(100))
            let large = try client.readResponse()
            #expect(large.body.count == 6_000_000)
            #expect(large.body[4096 * 100] == 100)
            #expect(try client.readResponse().text == "small")
        }
    }
}

/// The instant an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) names, in seconds since 1970, or nil if the
/// text is not exactly in that format (including a day name that does not match the date).
func imfFixdateSeconds(_ text: String) -> time_t? {
    let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    let parts = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
    guard text.utf8.count == 29, parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT",
        let weekday = days.firstIndex(of: String(parts[0].dropLast())),
        parts[1].count == 2, let day = Int32(parts[1]),
        let month = months.firstIndex(of: parts[2]),
        parts[3].count == 4, let year = Int32(parts[3])
    else { return nil }
    let clock = parts[4].split(separator: ":").compactMap { $0.count == 2 ? Int32($0) : nil }
    guard clock.count == 3 else { return nil }
    var fields = tm()
    fields.tm_year = year - 1900
    fields.tm_mon = Int32(month)
    fields.tm_mday = day
    fields.tm_hour = clock[0]
    fields.tm_min = clock[1]
    fields.tm_sec = clock[2]
    let seconds = timegm(&fields)
    guard fields.tm_wday == Int32(weekday) else { return nil }
    return seconds
}
