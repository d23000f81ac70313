import Foundation
import Synchronization
import Testing
import WebhookHTTP
import WebhookTesting

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Records each request head and echoes the body, so tests see what real clients sent.
final class RecordingEchoResponder: HTTPResponder {
    let heads = Mutex<[HTTPRequestHead]>([])

    func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        heads.withLock { $0.append(request.head) }
        EchoResponder().respond(to: request, writer: writer)
    }
}

/// Runs curl (which must exist on the machine) and returns its exit status, stdout and stderr.
private func curl(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
    let result = try ChildProcess.run(
        URL(fileURLWithPath: "/usr/bin/curl"),
        ["--silent", "--show-error", "--max-time", "8"] + arguments
    )
    return (result.status, result.standardOutput, result.standardError)
}

/// Real clients against the real server: curl and URLSession. curl is installed by `scripts/test.sh`; where it
/// is missing these tests fail (running it throws) rather than skip.
@Suite struct EndToEndCurlTests {
    @Test func getAndPost() async throws {
        try await withServer { server in
            let base = "http://127.0.0.1:\(server.port)"
            let get = try curl(["\(base)/a?b=c"])
            #expect(get.status == 0)
            #expect(get.output == "GET /a?b=c 0\n")
            let post = try curl(["--data-binary", "hello", "\(base)/p"])
            #expect(post.output == "POST /p 5\nhello")
        }
    }

    @Test func chunkedUpload() async throws {
        let responder = RecordingEchoResponder()
        try await withServer(responder: responder) { server in
            let body = String(repeating: "chunk", count: 4000)
            let result = try curl([
                "-H", "Transfer-Encoding: chunked", "--data-binary", body, "http://127.0.0.1:\(server.port)/up",
            ])
            #expect(result.output == "POST /up 20000\n\(body)")
            #expect(responder.heads.withLock { $0.first?.framing } == .chunked)
        }
    }

    /// curl waits for `100 Continue` before sending the body, and gets it.
    @Test func expectContinue() async throws {
        let responder = RecordingEchoResponder()
        try await withServer(responder: responder) { server in
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("body-\(UUID().uuidString)")
            try Data(repeating: UInt8(ascii: "x"), count: 300_000).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try curl([
                "-v", "-H", "Expect: 100-continue", "--data-binary", "@\(file.path)",
                "http://127.0.0.1:\(server.port)/big",
            ])
            #expect(result.output.hasPrefix("POST /big 300000\n"))
            #expect(result.errors.contains("HTTP/1.1 100 Continue"))
            #expect(responder.heads.withLock { $0.first?.expectsContinue } == true)
        }
    }

    /// Two URLs in one curl run share one connection.
    @Test func keepAliveReusesTheConnection() async throws {
        try await withServer { server in
            let base = "http://127.0.0.1:\(server.port)"
            let result = try curl([
                "-o", "/dev/null", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{num_connects}\n",
                "\(base)/1", "\(base)/2", "\(base)/3",
            ])
            #expect(result.output == "1\n0\n0\n")
        }
    }

    @Test func http10() async throws {
        try await withServer { server in
            let result = try curl(["-0", "-i", "http://127.0.0.1:\(server.port)/old"])
            #expect(result.output.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(result.output.contains("Connection: close\r\n"))
            #expect(result.output.hasSuffix("GET /old 0\n"))
        }
    }

    @Test func ipv6Loopback() async throws {
        let configuration = HTTPServerConfiguration(host: "::1", port: 0, eventLoopCount: 1)
        let hasIPv6 = (try? await withServer(configuration) { _ in }) != nil
        guard hasIPv6 else { return } // no IPv6 on this machine
        try await withServer(configuration) { server in
            let result = try curl(["-g", "http://[::1]:\(server.port)/six"])
            #expect(result.output == "GET /six 0\n")
        }
    }
}

@Suite struct EndToEndURLSessionTests {
    @Test func getAndPostWithURLSession() async throws {
        try await withServer { server in
            let session = URLSession(configuration: .ephemeral)
            defer { session.invalidateAndCancel() }
            let url = try #require(URL(string: "http://127.0.0.1:\(server.port)/session"))
            let (data, response) = try await session.data(from: url)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            #expect(String(decoding: data, as: UTF8.self) == "GET /session 0\n")

            var request = URLRequest(url: url)
            request.httpMethod = "POST"
            request.httpBody = Data("{\"a\":1}".utf8)
            for _ in 0..<3 {
                let (posted, postResponse) = try await session.data(for: request)
                #expect((postResponse as? HTTPURLResponse)?.statusCode == 200)
                #expect(String(decoding: posted, as: UTF8.self) == "POST /session 7\n{\"a\":1}")
            }
        }
    }
}
