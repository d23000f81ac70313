import Testing
import WebhookHTTP

/// One request the parser must refuse, with the refusal it must give.
struct RefusalCase: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    let expected: HTTPParserError
    /// Requests that must complete before the refusal (a smuggled request behind a valid one).
    let completeBefore: Int
    let limits: HTTPParserLimits

    init(
        _ name: String,
        _ request: String,
        _ expected: HTTPParserError,
        completeBefore: Int = 0,
        limits: HTTPParserLimits = HTTPParserLimits()
    ) {
        self.init(name, Array(request: request), expected, completeBefore: completeBefore, limits: limits)
    }

    init(
        _ name: String,
        _ bytes: [UInt8],
        _ expected: HTTPParserError,
        completeBefore: Int = 0,
        limits: HTTPParserLimits = HTTPParserLimits()
    ) {
        self.name = name
        self.bytes = bytes
        self.expected = expected
        self.completeBefore = completeBefore
        self.limits = limits
    }

    var testDescription: String { name }
}

/// Heads used to build chunked and fixed-length cases.
private let chunkedHead = "POST /hook HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
private let plainHead = "GET / HTTP/1.1\r\nHost: h\r\n"

/// The adversarial table: every refusal of docs/reference.md §4, and the kinds of cases the llhttp, h11 and Http11Probe
/// suites test (request smuggling, framing, grammar), written for this parser.
let refusalCases: [RefusalCase] = [
    // MARK: Request line
    RefusalCase(
        "TLS ClientHello on the plain port",
        [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03],
        .invalidRequestLine
    ),
    RefusalCase("leading space before the method", " GET / HTTP/1.1\r\nHost: h\r\n\r\n", .invalidRequestLine),
    RefusalCase("method with a non-token byte", "GE(T / HTTP/1.1\r\nHost: h\r\n\r\n", .invalidRequestLine),
    RefusalCase("method with a NUL", "GE\u{0}T / HTTP/1.1\r\nHost: h\r\n\r\n", .invalidRequestLine),
    RefusalCase("two spaces after the method", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", .invalidRequestLine),
    RefusalCase("HTAB instead of SP", "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", .invalidRequestLine),
    RefusalCase("HTTP/0.9 request line without version", "GET /\r\n\r\n", .invalidRequestLine),
    RefusalCase("lower-case version", "GET / http/1.1\r\nHost: h\r\n\r\n", .invalidRequestLine),
    RefusalCase("HTTP/2.0 version", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", .unsupportedVersion),
    RefusalCase("HTTP/1.2 version", "GET / HTTP/1.2\r\nHost: h\r\n\r\n", .unsupportedVersion),
    RefusalCase("HTTP/0.9 version", "GET / HTTP/0.9\r\nHost: h\r\n\r\n", .unsupportedVersion),
    RefusalCase("three-digit version", "GET / HTTP/1.10\r\nHost: h\r\n\r\n", .invalidRequestLine),
    RefusalCase("space after the version", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", .invalidRequestLine),
    RefusalCase("bare LF line endings", "GET / HTTP/1.1\nHost: h\n\n", .invalidRequestLine),
    RefusalCase("bare CR after the request line", "GET / HTTP/1.1\rHost: h\r\n\r\n", .invalidRequestLine),
    RefusalCase("two empty lines before the request", "\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", .invalidRequestLine),
    RefusalCase("bare LF before the request", "\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", .invalidRequestLine),
    RefusalCase("space inside the target", "GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", .invalidRequestLine),
    RefusalCase("NUL in the target", "GET /a\u{0}b HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    RefusalCase("fragment in the target", "GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    RefusalCase("angle brackets in the target", "GET /<script> HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    RefusalCase("bad percent escape", "GET /a%zz HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    RefusalCase("truncated percent escape", "GET /a%4 HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    RefusalCase("relative target", "GET index.html HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    RefusalCase("asterisk with a path", "OPTIONS */x HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    // RFC 9112 §3.2.3-4: the asterisk form only with OPTIONS, the authority form only with CONNECT.
    RefusalCase("asterisk-form with GET", "GET * HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    RefusalCase("asterisk-form with CONNECT", "CONNECT * HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    RefusalCase("authority-form with GET", "GET h:80 HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    RefusalCase("authority-form with OPTIONS", "OPTIONS h:443 HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    RefusalCase("CONNECT with an origin-form target", "CONNECT /x HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    RefusalCase(
        "CONNECT with an absolute-form target",
        "CONNECT http://h:443/ HTTP/1.1\r\nHost: h\r\n\r\n",
        .invalidTarget
    ),
    RefusalCase("CONNECT without a port", "CONNECT h: HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    RefusalCase("CONNECT with a path after the port", "CONNECT h:443/x HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    RefusalCase("CONNECT without a host", "CONNECT :443 HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    RefusalCase("absolute URI without an authority", "GET urn:x HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    RefusalCase("absolute-form with an empty authority", "GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    RefusalCase("absolute-form with userinfo", "GET http://u@h/x HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    RefusalCase(
        "raw UTF-8 in the target",
        Array(request: "GET /caf") + [0xC3, 0xA9] + Array(request: " HTTP/1.1\r\n\r\n"),
        .invalidTarget
    ),
    RefusalCase("DEL in the target", "GET /a\u{7F} HTTP/1.1\r\nHost: h\r\n\r\n", .invalidTarget),
    RefusalCase("CR inside the request line", "GET /a\r HTTP/1.1\r\nHost: h\r\n\r\n", .invalidRequestLine),

    RefusalCase("NUL before the request line", "\u{0}GET / HTTP/1.1\r\nHost: h\r\n\r\n", .invalidRequestLine),
    RefusalCase(
        "non-ASCII byte in a field name",
        Array(request: plainHead + "X-") + [0xC3, 0xA9] + Array(request: ": v\r\n\r\n"),
        .invalidField
    ),

    // MARK: Field lines
    RefusalCase("obs-fold continuation line", plainHead + "X-A: b\r\n c\r\n\r\n", .invalidField),
    RefusalCase("whitespace before the first field", "GET / HTTP/1.1\r\n Host: h\r\n\r\n", .invalidField),
    RefusalCase("space before the colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", .invalidField),
    RefusalCase("HTAB before the colon", "GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", .invalidField),
    RefusalCase("field line without a colon", plainHead + "X-A b\r\n\r\n", .invalidField),
    RefusalCase("field line of a single token", plainHead + "Justaname\r\n\r\n", .invalidField),
    RefusalCase("empty field name", plainHead + ": b\r\n\r\n", .invalidField),
    RefusalCase("non-token byte in a name", plainHead + "X(A): b\r\n\r\n", .invalidField),
    RefusalCase("NUL in a value", plainHead + "X-A: a\u{0}b\r\n\r\n", .invalidField),
    RefusalCase("SOH in a value", plainHead + "X-A: a\u{1}b\r\n\r\n", .invalidField),
    RefusalCase("DEL in a value", plainHead + "X-A: a\u{7F}b\r\n\r\n", .invalidField),
    RefusalCase("vertical tab in a value", plainHead + "X-A: a\u{B}b\r\n\r\n", .invalidField),
    RefusalCase("bare CR in a value", plainHead + "X-A: a\rb\r\n\r\n", .invalidField),
    RefusalCase("bare LF ending a field line", plainHead + "X-A: a\nX-B: b\r\n\r\n", .invalidField),
    RefusalCase("bare LF ending the head", plainHead + "\n", .invalidField),
    RefusalCase("CR CR LF ending the head", plainHead + "\r\r\n", .invalidField),
    RefusalCase(
        "value that is not UTF-8",
        Array(request: plainHead + "X-A: ") + [0xFF, 0xFE] + Array(request: "\r\n\r\n"),
        .invalidField
    ),

    // MARK: Host
    RefusalCase("HTTP/1.1 without Host", "GET / HTTP/1.1\r\nX-A: b\r\n\r\n", .invalidHost),
    RefusalCase("two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", .invalidHost),
    RefusalCase("two Host fields on HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n", .invalidHost),
    RefusalCase("space inside Host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", .invalidHost),
    RefusalCase("Host with a path", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", .invalidHost),
    RefusalCase("Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", .invalidHost),
    RefusalCase("empty Host on HTTP/1.1", "GET / HTTP/1.1\r\nHost:\r\n\r\n", .invalidHost),
    RefusalCase("Host of only whitespace on HTTP/1.1", "GET / HTTP/1.1\r\nHost: \t \r\n\r\n", .invalidHost),
    RefusalCase("empty Host with an absolute-form target", "GET http://h/ HTTP/1.1\r\nHost: \r\n\r\n", .invalidHost),

    // MARK: Content-Length
    RefusalCase(
        "CL.TE: Content-Length then Transfer-Encoding",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        .conflictingFraming
    ),
    RefusalCase(
        "TE.CL: Transfer-Encoding then Content-Length",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
        .conflictingFraming
    ),
    RefusalCase(
        "Content-Length list of equal values",
        plainHead + "Content-Length: 5, 5\r\n\r\nhello",
        .invalidContentLength
    ),
    RefusalCase(
        "Content-Length repeated with the same value",
        plainHead + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
        .invalidContentLength
    ),
    RefusalCase(
        "Content-Length repeated with different values",
        plainHead + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        .invalidContentLength
    ),
    RefusalCase(
        "Content-Length with a plus sign",
        plainHead + "Content-Length: +5\r\n\r\nhello",
        .invalidContentLength
    ),
    RefusalCase("negative Content-Length", plainHead + "Content-Length: -1\r\n\r\n", .invalidContentLength),
    RefusalCase("Content-Length with an underscore", plainHead + "Content-Length: 1_0\r\n\r\n", .invalidContentLength),
    RefusalCase("hex Content-Length", plainHead + "Content-Length: 0x10\r\n\r\n", .invalidContentLength),
    RefusalCase("Content-Length with an inner space", plainHead + "Content-Length: 1 0\r\n\r\n", .invalidContentLength),
    RefusalCase("empty Content-Length", plainHead + "Content-Length:\r\n\r\n", .invalidContentLength),
    RefusalCase("Content-Length in exponent form", plainHead + "Content-Length: 1e3\r\n\r\n", .invalidContentLength),
    RefusalCase(
        "Content-Length overflowing Int",
        plainHead + "Content-Length: 99999999999999999999999\r\n\r\n",
        .invalidContentLength
    ),
    RefusalCase("Content-Length of Int.max", plainHead + "Content-Length: 9223372036854775807\r\n\r\n", .bodyTooLarge),

    RefusalCase(
        "Content-Length with a trailing comma",
        plainHead + "Content-Length: 5,\r\n\r\nhello",
        .invalidContentLength
    ),
    RefusalCase(
        "Content-Length in two spellings",
        plainHead + "content-length: 1\r\nCONTENT-LENGTH: 1\r\n\r\nx",
        .invalidContentLength
    ),

    // MARK: Transfer-Encoding
    RefusalCase("identity coding", plainHead + "Transfer-Encoding: identity\r\n\r\n", .unsupportedTransferEncoding),
    RefusalCase(
        "gzip before chunked",
        plainHead + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        .unsupportedTransferEncoding
    ),
    // RFC 9112 §6.3: a coding list whose last coding is not chunked cannot be framed: 400, not 501.
    RefusalCase(
        "chunked, identity",
        plainHead + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
        .chunkedNotLast
    ),
    RefusalCase(
        "chunked, gzip",
        plainHead + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
        .chunkedNotLast
    ),
    RefusalCase(
        "chunked then gzip in two fields",
        plainHead + "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n0\r\n\r\n",
        .chunkedNotLast
    ),
    RefusalCase(
        "a list of codings without chunked",
        plainHead + "Transfer-Encoding: gzip, deflate\r\n\r\n",
        .chunkedNotLast
    ),
    RefusalCase(
        "chunked twice in one field",
        plainHead + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
        .unsupportedTransferEncoding
    ),
    RefusalCase(
        "chunked in two fields",
        plainHead + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        .unsupportedTransferEncoding
    ),
    RefusalCase(
        "a coding named like chunked",
        plainHead + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
        .unsupportedTransferEncoding
    ),
    RefusalCase(
        "chunked with a parameter",
        plainHead + "Transfer-Encoding: chunked;q=1\r\n\r\n0\r\n\r\n",
        .invalidTransferEncoding
    ),
    RefusalCase(
        "chunked with an empty list element",
        plainHead + "Transfer-Encoding: chunked,\r\n\r\n0\r\n\r\n",
        .invalidTransferEncoding
    ),
    RefusalCase(
        "quoted chunked",
        plainHead + "Transfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\n",
        .invalidTransferEncoding
    ),
    RefusalCase(
        "Transfer-Encoding value on an obs-fold line",
        plainHead + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n",
        .invalidField
    ),
    RefusalCase(
        "space before the Transfer-Encoding colon",
        plainHead + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
        .invalidField
    ),
    RefusalCase(
        "vertical tab before chunked",
        plainHead + "Transfer-Encoding: \u{B}chunked\r\n\r\n0\r\n\r\n",
        .invalidField
    ),
    RefusalCase(
        "Transfer-Encoding on HTTP/1.0",
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        .transferEncodingOnHTTP10
    ),

    RefusalCase(
        "Transfer_Encoding is another field: its chunked body is read as the next request",
        plainHead + "Transfer_Encoding: chunked\r\n\r\n0\r\n\r\n",
        .invalidRequestLine,
        completeBefore: 1
    ),

    // MARK: Chunked body
    RefusalCase("chunk size with 0x prefix", chunkedHead + "0x5\r\nhello\r\n0\r\n\r\n", .invalidChunk),
    RefusalCase("chunk size with 0X prefix", chunkedHead + "0X10\r\n0123456789abcdef\r\n0\r\n\r\n", .invalidChunk),
    RefusalCase("negative chunk size", chunkedHead + "-1\r\nx\r\n0\r\n\r\n", .invalidChunk),
    RefusalCase("chunk size with a plus sign", chunkedHead + "+5\r\nhello\r\n0\r\n\r\n", .invalidChunk),
    RefusalCase("space before the chunk size", chunkedHead + " 5\r\nhello\r\n0\r\n\r\n", .invalidChunk),
    RefusalCase("space after the chunk size", chunkedHead + "5 \r\nhello\r\n0\r\n\r\n", .invalidChunk),
    RefusalCase("underscore in the chunk size", chunkedHead + "1_0\r\n0123456789\r\n0\r\n\r\n", .invalidChunk),
    RefusalCase("17 hex digits", chunkedHead + "00000000000000005\r\nhello\r\n0\r\n\r\n", .invalidChunk),
    RefusalCase(
        "chunk size overflowing Int",
        chunkedHead + "8000000000000000\r\n",
        .invalidChunk,
        limits: HTTPParserLimits(maxBodyBytes: Int.max)
    ),
    RefusalCase("chunk size over the body limit", chunkedHead + "FFFFFFFF\r\n", .bodyTooLarge),
    RefusalCase("chunk data longer than its size", chunkedHead + "3\r\nhello\r\n0\r\n\r\n", .invalidChunk),
    RefusalCase("chunk data ended by a bare LF", chunkedHead + "5\r\nhello\n0\r\n\r\n", .invalidChunk),
    RefusalCase("chunk size line ended by a bare LF", chunkedHead + "5\nhello\r\n0\r\n\r\n", .invalidChunk),
    RefusalCase("chunk size line ended by CR CR LF", chunkedHead + "5\r\r\nhello\r\n0\r\n\r\n", .invalidChunk),
    RefusalCase("empty chunk size line", chunkedHead + "\r\nhello\r\n0\r\n\r\n", .invalidChunk),
    RefusalCase("space before a chunk extension", chunkedHead + "5 ;a=b\r\nhello\r\n0\r\n\r\n", .invalidChunk),
    RefusalCase("bare CR in a chunk extension", chunkedHead + "5;a\rb\r\nhello\r\n0\r\n\r\n", .invalidChunk),
    RefusalCase("bare LF ending a chunk extension", chunkedHead + "5;a=b\nhello\r\n0\r\n\r\n", .invalidChunk),
    RefusalCase("empty chunk extension name", chunkedHead + "5;\r\nhello\r\n0\r\n\r\n", .invalidChunk),
    RefusalCase(
        "control byte in a quoted extension",
        chunkedHead + "5;a=\"b\u{1}\"\r\nhello\r\n0\r\n\r\n",
        .invalidChunk
    ),
    RefusalCase("unterminated quoted extension", chunkedHead + "5;a=\"b\r\nhello\r\n0\r\n\r\n", .invalidChunk),
    RefusalCase(
        "request smuggled where trailers belong",
        chunkedHead + "0\r\nGET /admin HTTP/1.1\r\nHost: h\r\n\r\n",
        .invalidField
    ),
    RefusalCase("trailer field without a colon", chunkedHead + "0\r\nBad Field\r\n\r\n", .invalidField),
    RefusalCase("trailer obs-fold", chunkedHead + "0\r\nX-T: a\r\n b\r\n\r\n", .invalidField),
    RefusalCase("trailer ended by a bare LF", chunkedHead + "0\r\nX-T: a\n\r\n", .invalidField),
    RefusalCase("NUL in a trailer value", chunkedHead + "0\r\nX-T: a\u{0}\r\n\r\n", .invalidField),
    RefusalCase(
        "last chunk without its final CRLF, then a request",
        chunkedHead + "0\r\n\rGET / HTTP/1.1\r\nHost: h\r\n\r\n",
        .invalidField
    ),

    // MARK: Pipelines and limits
    RefusalCase(
        "a refused request behind a valid one",
        plainHead + "\r\nGET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
        .invalidContentLength,
        completeBefore: 1
    ),
    RefusalCase(
        "chunked body smuggled behind CL 0 refused at its first byte",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        .invalidRequestLine,
        completeBefore: 1
    ),
    RefusalCase(
        "header section over the limit",
        plainHead + "X-A: " + String(repeating: "a", count: 100) + "\r\n\r\n",
        .headerTooLarge,
        limits: HTTPParserLimits(maxHeaderBytes: 64)
    ),
    RefusalCase(
        "target over the limit",
        "GET /" + String(repeating: "a", count: 40) + " HTTP/1.1\r\nHost: h\r\n\r\n",
        .targetTooLong,
        limits: HTTPParserLimits(maxTargetLength: 32)
    ),
    RefusalCase(
        "too many fields",
        plainHead + "A: 1\r\nB: 2\r\nC: 3\r\n\r\n",
        .headerTooLarge,
        limits: HTTPParserLimits(maxFieldCount: 3)
    ),
    RefusalCase(
        "declared body over the limit",
        plainHead + "Content-Length: 11\r\n\r\n",
        .bodyTooLarge,
        limits: HTTPParserLimits(maxBodyBytes: 10)
    ),
    RefusalCase(
        "chunked body growing over the limit",
        chunkedHead + "6\r\nabcdef\r\n5\r\nghijk\r\n0\r\n\r\n",
        .bodyTooLarge,
        limits: HTTPParserLimits(maxBodyBytes: 10)
    ),
    RefusalCase(
        "chunk extensions counted toward the body limit",
        chunkedHead + "1;aaaaaaaaaa=b\r\nx\r\n0\r\n\r\n",
        .bodyTooLarge,
        limits: HTTPParserLimits(maxBodyBytes: 10)
    ),
    RefusalCase(
        "trailer section over the header limit",
        chunkedHead + "0\r\nX-T: " + String(repeating: "t", count: 120) + "\r\n\r\n",
        .headerTooLarge,
        limits: HTTPParserLimits(maxHeaderBytes: 100)
    ),
]

@Suite("HTTP parser refusals")
struct ParserRefusalTests {
    @Test("refuses", arguments: refusalCases)
    func refuses(_ refusal: RefusalCase) {
        let transcript = ParserHarness.decisions(refusal.bytes, limits: refusal.limits)
        #expect(transcript.refusal == refusal.expected)
        // Requests before the refused one complete; a refused body leaves its head without `.end`.
        #expect(transcript.messages.filter { $0.isComplete }.count == refusal.completeBefore)
        #expect(transcript.messages.count <= refusal.completeBefore + 1)
    }

    /// The table covers at least 60 adversarial requests.
    @Test func tableIsLarge() {
        #expect(refusalCases.count >= 60)
    }

    /// A TLS handshake is refused from its first byte, without waiting for a line end.
    @Test func refusesTLSOnFirstByte() {
        var parser = HTTPRequestParser(limits: HTTPParserLimits())
        let result = [UInt8]([0x16]).withUnsafeBytes { parser.parse($0) }
        #expect(result.event == .error(.invalidRequestLine))
    }

    /// Invalid bytes are refused when they arrive, not when the head ends.
    @Test(arguments: [
        ("GET /a\u{0}", HTTPParserError.invalidTarget),
        ("GET / HTTP/2", .unsupportedVersion),
        ("GET / HTTP/1.1\r\nHost : ", .invalidField),
        ("GET / HTTP/1.1\r\nX: a\u{1}", .invalidField),
        ("GET / HTTP/1.1\r\nX: a\r\n b", .invalidField),
    ])
    func refusesBeforeTheHeadEnds(prefix: String, expected: HTTPParserError) {
        var parser = HTTPRequestParser(limits: HTTPParserLimits())
        let result = Array(request: prefix).withUnsafeBytes { parser.parse($0) }
        #expect(result.event == .error(expected))
    }

    /// After a refusal no byte is parsed: a valid request presented afterwards gets the same refusal.
    @Test func staysFailed() {
        var parser = HTTPRequestParser(limits: HTTPParserLimits())
        _ = Array(request: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").withUnsafeBytes { parser.parse($0) }
        let next = Array(request: "GET / HTTP/1.1\r\nHost: a\r\n\r\n").withUnsafeBytes { parser.parse($0) }
        #expect(next == HTTPParseResult(consumed: 0, event: .error(.invalidHost)))
        #expect(parser.error == .invalidHost)
    }

    /// Each refusal maps to the status docs/reference.md §4 gives it.
    @Test(arguments: [
        (HTTPParserError.invalidRequestLine, 400), (.invalidField, 400), (.conflictingFraming, 400),
        (.invalidContentLength, 400), (.invalidChunk, 400), (.invalidHost, 400), (.transferEncodingOnHTTP10, 400),
        (.invalidTransferEncoding, 400), (.chunkedNotLast, 400), (.unsupportedVersion, 400), (.invalidTarget, 400),
        (.bodyTooLarge, 413), (.targetTooLong, 414), (.headerTooLarge, 431), (.unsupportedTransferEncoding, 501),
    ])
    func mapsStatus(error: HTTPParserError, status: Int) {
        #expect(error.status == status)
    }
}
