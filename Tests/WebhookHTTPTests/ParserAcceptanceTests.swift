import Testing
import WebhookHTTP

/// The parts of a parsed request a test states: head fields in order as `Name: value`, and the body.
struct RequestSummary: Equatable, CustomStringConvertible {
    var method: String
    var target: String
    var version: HTTPVersion = .http1_1
    var framing: HTTPBodyFraming = .none
    var isKeepAlive = true
    var expectsContinue = false
    var fields: [String]
    var body: String = ""

    init(
        _ method: String,
        _ target: String,
        version: HTTPVersion = .http1_1,
        framing: HTTPBodyFraming = .none,
        isKeepAlive: Bool = true,
        expectsContinue: Bool = false,
        fields: [String],
        body: String = ""
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.framing = framing
        self.isKeepAlive = isKeepAlive
        self.expectsContinue = expectsContinue
        self.fields = fields
        self.body = body
    }

    init(_ message: ParsedMessage) {
        self.init(
            message.head.method,
            message.head.target,
            version: message.head.version,
            framing: message.head.framing,
            isKeepAlive: message.head.isKeepAlive,
            expectsContinue: message.head.expectsContinue,
            fields: message.head.fields.map { "\($0.name): \($0.value)" },
            body: String(decoding: message.body, as: UTF8.self)
        )
    }

    var description: String {
        "\(method) \(target) \(version) \(framing) keepAlive=\(isKeepAlive) continue=\(expectsContinue) "
            + "fields=\(fields) body=\(body.debugDescription)"
    }
}

/// A valid input and the requests the parser must find in it.
struct AcceptanceCase: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    let expected: [RequestSummary]

    init(_ name: String, _ request: String, _ expected: [RequestSummary]) {
        self.name = name
        self.bytes = Array(request: request)
        self.expected = expected
    }

    init(_ name: String, _ bytes: [UInt8], _ expected: [RequestSummary]) {
        self.name = name
        self.bytes = bytes
        self.expected = expected
    }

    var testDescription: String { name }
}

extension RequestSummary: @unchecked Sendable {}

let acceptanceCases: [AcceptanceCase] = [
    AcceptanceCase(
        "simple GET",
        "GET /healthz HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: t\r\n\r\n",
        [RequestSummary("GET", "/healthz", fields: ["Host: localhost:8080", "User-Agent: t"])]
    ),
    AcceptanceCase(
        "POST with Content-Length",
        "POST /webhooks/gu1 HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"a\":\"hello\"}",
        [
            RequestSummary(
                "POST",
                "/webhooks/gu1",
                framing: .length(13),
                fields: ["Host: h", "Content-Type: application/json", "Content-Length: 13"],
                body: "{\"a\":\"hello\"}"
            )
        ]
    ),
    AcceptanceCase(
        "chunked with extensions and trailers",
        "POST /w HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value;q=\"a \\\"b\\\" c\"\r\nhello\r\n000A;x\r\n, chunked!\r\n0;last\r\nX-Trailer: t\r\nX-Other:\r\n\r\n",
        [
            RequestSummary(
                "POST",
                "/w",
                framing: .chunked,
                fields: ["Host: h", "Transfer-Encoding: chunked"],
                body: "hello, chunked!"
            )
        ]
    ),
    AcceptanceCase(
        "three pipelined requests in one buffer",
        "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
            + "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
            + "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n",
        [
            RequestSummary("GET", "/a", fields: ["Host: h"]),
            RequestSummary("POST", "/b", framing: .length(3), fields: ["Host: h", "Content-Length: 3"], body: "abc"),
            RequestSummary(
                "POST",
                "/c",
                framing: .chunked,
                fields: ["Host: h", "Transfer-Encoding: chunked"],
                body: "de"
            ),
        ]
    ),
    AcceptanceCase(
        "Expect: 100-continue",
        "POST /w HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nok",
        [
            RequestSummary(
                "POST",
                "/w",
                framing: .length(2),
                expectsContinue: true,
                fields: ["Host: h", "Expect: 100-Continue", "Content-Length: 2"],
                body: "ok"
            )
        ]
    ),
    AcceptanceCase(
        "100-continue ignored on HTTP/1.0",
        "POST /w HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
        [
            RequestSummary(
                "POST",
                "/w",
                version: .http1_0,
                framing: .length(2),
                isKeepAlive: false,
                fields: ["Expect: 100-continue", "Content-Length: 2"],
                body: "ok"
            )
        ]
    ),
    AcceptanceCase(
        "100-continue ignored without a body",
        "GET / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n",
        [RequestSummary("GET", "/", fields: ["Host: h", "Expect: 100-continue"])]
    ),
    AcceptanceCase(
        "HTTP/1.0 keep-alive, pipelined",
        "GET /a HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n",
        [
            RequestSummary("GET", "/a", version: .http1_0, fields: ["Connection: Keep-Alive"]),
            RequestSummary("GET", "/b", version: .http1_0, isKeepAlive: false, fields: []),
        ]
    ),
    AcceptanceCase(
        "HTTP/1.1 Connection: close among other tokens",
        "GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, CLOSE\r\n\r\n",
        [RequestSummary("GET", "/", isKeepAlive: false, fields: ["Host: h", "Connection: keep-alive, CLOSE"])]
    ),
    AcceptanceCase(
        "one empty line before the request is ignored",
        "\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",
        [RequestSummary("GET", "/", fields: ["Host: h"])]
    ),
    AcceptanceCase(
        "one empty line between pipelined requests is ignored",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",
        [
            RequestSummary("POST", "/", framing: .length(1), fields: ["Host: h", "Content-Length: 1"], body: "x"),
            RequestSummary("GET", "/", fields: ["Host: h"]),
        ]
    ),
    AcceptanceCase(
        "Content-Length with leading zeros is decimal",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0010\r\n\r\n0123456789",
        [
            RequestSummary(
                "POST",
                "/",
                framing: .length(10),
                fields: ["Host: h", "Content-Length: 0010"],
                body: "0123456789"
            )
        ]
    ),
    AcceptanceCase(
        "Content-Length: 0",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
        [RequestSummary("POST", "/", framing: .length(0), fields: ["Host: h", "Content-Length: 0"])]
    ),
    AcceptanceCase(
        "Transfer-Encoding is case-insensitive and OWS-trimmed",
        "POST / HTTP/1.1\r\nHost: h\r\ntransfer-encoding: \t Chunked \t\r\n\r\n1\r\nz\r\n0\r\n\r\n",
        [RequestSummary("POST", "/", framing: .chunked, fields: ["Host: h", "transfer-encoding: Chunked"], body: "z")]
    ),
    AcceptanceCase(
        "values keep inner whitespace, lose outer OWS; empty values",
        "GET / HTTP/1.1\r\nHost:h\r\nX-A:  a \t b  \r\nX-Empty:\r\nX-Blank:   \r\n\r\n",
        [RequestSummary("GET", "/", fields: ["Host: h", "X-A: a \t b", "X-Empty: ", "X-Blank: "])]
    ),
    AcceptanceCase(
        "UTF-8 in a value",
        "GET / HTTP/1.1\r\nHost: h\r\nX-Name: café ☕\r\n\r\n",
        [RequestSummary("GET", "/", fields: ["Host: h", "X-Name: café ☕"])]
    ),
    AcceptanceCase(
        "absolute-form, asterisk-form and authority-form targets",
        "GET http://h:8080/a?b HTTP/1.1\r\nHost: h:8080\r\n\r\nOPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"
            + "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
        [
            RequestSummary("GET", "http://h:8080/a?b", fields: ["Host: h:8080"]),
            RequestSummary("OPTIONS", "*", fields: ["Host: h"]),
            RequestSummary("CONNECT", "h:443", fields: ["Host: h:443"]),
        ]
    ),
    AcceptanceCase(
        "percent-encoded target with query and sub-delims",
        "GET /a%2Fb/c;p=1?q=%C3%A9&x=(y)*!$'+,@: HTTP/1.1\r\nHost: h\r\n\r\n",
        [RequestSummary("GET", "/a%2Fb/c;p=1?q=%C3%A9&x=(y)*!$'+,@:", fields: ["Host: h"])]
    ),
    AcceptanceCase(
        "IPv6 Host with a port, empty Host on HTTP/1.0",
        "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\nGET / HTTP/1.0\r\nHost:\r\nConnection: keep-alive\r\n\r\n",
        [
            RequestSummary("GET", "/", fields: ["Host: [::1]:8080"]),
            RequestSummary("GET", "/", version: .http1_0, fields: ["Host: ", "Connection: keep-alive"]),
        ]
    ),
    AcceptanceCase(
        "absolute-form with any method, authority-form with CONNECT to an IPv4 address",
        "POST HTTPS://h/webhooks/gu1 HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"
            + "OPTIONS http://h HTTP/1.1\r\nHost: h\r\n\r\n"
            + "CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n",
        [
            RequestSummary(
                "POST",
                "HTTPS://h/webhooks/gu1",
                framing: .length(0),
                fields: ["Host: h", "Content-Length: 0"]
            ),
            RequestSummary("OPTIONS", "http://h", fields: ["Host: h"]),
            RequestSummary("CONNECT", "127.0.0.1:443", fields: ["Host: 127.0.0.1:443"]),
        ]
    ),
    AcceptanceCase(
        "extension method and token field names",
        "M-SEARCH /x HTTP/1.1\r\nHost: h\r\nX-Odd!#$%&'*+.^_`|~: v\r\n\r\n",
        [RequestSummary("M-SEARCH", "/x", fields: ["Host: h", "X-Odd!#$%&'*+.^_`|~: v"])]
    ),
    AcceptanceCase(
        "obs-text in a field value that is UTF-8, body with CRLFs and NULs",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\n\r\n\u{0}\r\n\u{0}",
        [
            RequestSummary(
                "POST",
                "/",
                framing: .length(6),
                fields: ["Host: h", "Content-Length: 6"],
                body: "\r\n\u{0}\r\n\u{0}"
            )
        ]
    ),
]

@Suite("HTTP parser acceptance")
struct ParserAcceptanceTests {
    @Test("accepts", arguments: acceptanceCases)
    func accepts(_ acceptance: AcceptanceCase) {
        let transcript = ParserHarness.decisions(acceptance.bytes)
        #expect(transcript.refusal == nil)
        #expect(!transcript.isPending)
        #expect(transcript.messages.allSatisfy { $0.isComplete })
        #expect(transcript.messages.map(RequestSummary.init) == acceptance.expected)
    }

    /// The head event consumes exactly the head; the body follows as ranges of the input, then `.end`.
    @Test func eventsAndOffsets() {
        var parser = HTTPRequestParser(limits: HTTPParserLimits())
        let bytes = Array(request: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET")
        let headLength = bytes.count - 6
        var results: [HTTPParseResult] = []
        var offset = 0
        bytes.withUnsafeBytes { all in
            for _ in 0..<4 {
                let result = parser.parse(UnsafeRawBufferPointer(rebasing: all[offset...]))
                results.append(result)
                offset += result.consumed
            }
        }
        #expect(results.map(\.consumed) == [headLength, 3, 0, 0])
        #expect(results[1].event == .body(0..<3))
        #expect(results[2].event == .end)
        #expect(results[3].event == .needMore)
        #expect(offset == bytes.count - 3)
    }

    /// A partial head is not consumed: `.needMore` with 0, so the caller keeps it; a body is consumed.
    @Test func partialHeadIsNotConsumed() {
        var parser = HTTPRequestParser(limits: HTTPParserLimits())
        #expect(parser.isAtRequestBoundary)
        let partial = Array(request: "GET / HTTP/1.1\r\nHo")
        let result = partial.withUnsafeBytes { parser.parse($0) }
        #expect(result == HTTPParseResult(consumed: 0, event: .needMore))
        #expect(!parser.isAtRequestBoundary)
    }

    /// A chunked body split inside its framing consumes everything given and resumes.
    @Test func chunkedFramingIsConsumed() {
        var parser = HTTPRequestParser(limits: HTTPParserLimits())
        let head = Array(request: "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n")
        _ = head.withUnsafeBytes { parser.parse($0) }
        let partial = Array(request: "5;ext=")
        #expect(partial.withUnsafeBytes { parser.parse($0) } == HTTPParseResult(consumed: 6, event: .needMore))
        let rest = Array(request: "v\r\nhel")
        #expect(rest.withUnsafeBytes { parser.parse($0) } == HTTPParseResult(consumed: 6, event: .body(3..<6)))
    }

    /// A declared length above the limit is refused with the head, before any body byte arrives.
    @Test func declaredLengthRefusedAtHeadTime() {
        var parser = HTTPRequestParser(limits: HTTPParserLimits(maxBodyBytes: 1_048_576))
        let head = Array(request: "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4611686018427387904\r\n\r\n")
        #expect(head.withUnsafeBytes { parser.parse($0) }.event == .error(.bodyTooLarge))
    }

    /// The header limit is exact: a head of exactly `maxHeaderBytes` passes; one byte more is refused as
    /// soon as that byte arrives, without waiting for the head to end.
    @Test func headerLimitIsExact() {
        let head = Array(request: "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
        var exact = HTTPRequestParser(limits: HTTPParserLimits(maxHeaderBytes: head.count))
        guard case .head = head.withUnsafeBytes({ exact.parse($0) }).event else {
            Issue.record("a head of exactly the limit was not accepted")
            return
        }
        var short = HTTPRequestParser(limits: HTTPParserLimits(maxHeaderBytes: head.count - 1))
        let prefix = Array(head[..<(head.count - 1)])
        #expect(prefix.withUnsafeBytes { short.parse($0) }.event == .needMore)
        #expect(head.withUnsafeBytes { short.parse($0) }.event == .error(.headerTooLarge))
    }

    /// Input that ends inside a request is pending, never accepted: a missing final CRLF of a chunked body,
    /// a short `Content-Length` body, a head without its empty line.
    @Test(arguments: [
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nhello",
        "GET / HTTP/1.1\r\nHost: h\r\n",
        "\r\n",
    ])
    func truncatedInputIsPending(request: String) {
        let transcript = ParserHarness.decisions(Array(request: request))
        #expect(transcript.refusal == nil)
        #expect(transcript.isPending)
        #expect(transcript.messages.allSatisfy { !$0.isComplete })
    }

    /// A caller that breaks the contract by presenting fewer bytes than were scanned gets a fresh scan, not
    /// offsets into bytes it no longer shows.
    @Test func restartsWhenFewerBytesArePresented() {
        var parser = HTTPRequestParser(limits: HTTPParserLimits())
        let request = Array(request: "GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
        #expect(request[..<20].withUnsafeBytes { parser.parse($0) }.event == .needMore)
        #expect(request[..<5].withUnsafeBytes { parser.parse($0) }.event == .needMore)
        let result = request.withUnsafeBytes { parser.parse($0) }
        guard case .head(let head) = result.event else {
            Issue.record("expected a head, got \(result.event)")
            return
        }
        #expect(head.target == "/x")
        #expect(result.consumed == request.count)
    }

    /// The path of an absolute-form target is the one after its authority, `/` when it has none (RFC 9112
    /// §3.2.2); the query is found the same way in every form.
    @Test(
        arguments: [
            ("/a/b?c=d", "/a/b", "c=d"),
            ("http://h:8080/webhooks/gu1?x=1", "/webhooks/gu1", "x=1"),
            ("HTTPS://h/webhooks/argos/tok", "/webhooks/argos/tok", nil),
            ("http://h", "/", nil),
            ("http://h?x", "/", "x"),
            ("http://h/", "/", nil),
            ("*", "*", nil),
            ("h:443", "h:443", nil),
        ] as [(String, String, String?)]
    )
    func pathOfEachTargetForm(target: String, path: String, query: String?) throws {
        let transcript = ParserHarness.decisions(
            Array(
                request:
                    "\(target == "*" ? "OPTIONS" : target == "h:443" ? "CONNECT" : "GET") \(target) HTTP/1.1\r\nHost: h\r\n\r\n"
            )
        )
        let head = try #require(transcript.messages.first?.head)
        #expect(head.path == path[...])
        #expect(head.query.map(String.init) == query)
    }

    /// Field names keep their spelling; look-ups ignore ASCII case.
    @Test func fieldLookupIgnoresCase() throws {
        let transcript = ParserHarness.decisions(
            Array(request: "GET / HTTP/1.1\r\nhOsT: h\r\nX-Sig: a\r\nx-sig: b\r\n\r\n")
        )
        let head = try #require(transcript.messages.first?.head)
        #expect(head.fields["host"] == "h")
        #expect(head.fields.values(for: "X-SIG") == ["a", "b"])
        #expect(head.fields.fields.map(\.name) == ["hOsT", "X-Sig", "x-sig"])
    }
}
