/// Serializes response heads into bytes without Foundation and without intermediate strings.
///
/// The server owns the framing fields: it always writes `Content-Length` (except on 1xx and 204), writes `Connection: close` when it
/// closes (and `Connection: keep-alive` to an HTTP/1.0 client it keeps), and drops any `Content-Length`,
/// `Transfer-Encoding` or `Connection` the responder set. It owns `Date` too: every response carries the
/// event loop's (RFC 9110 §6.6.1), and a `Date` the responder set is dropped. Fields with a byte that could split the head (CR,
/// LF, NUL) or a name that is not a token are dropped rather than written.
enum HTTPResponseEncoder {
    /// `HTTP/1.1 100 Continue` and the empty line.
    static let continueBytes: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Appends the status line and header section of `response` to `buffer`.
    ///
    /// - Parameters:
    ///   - response: the status, fields and body (for its length).
    ///   - options: how the connection frames it.
    ///   - date: the IMF-fixdate written as `Date` (``HTTPDate``).
    ///   - buffer: where the head is appended.
    static func encodeHead(
        _ response: HTTPResponse,
        options: HTTPConnectionStateMachine.ResponseOptions,
        date: [UInt8],
        into buffer: inout [UInt8]
    ) {
        let status = (100...999).contains(response.status) ? response.status : 500
        buffer.append(contentsOf: "HTTP/1.1 ".utf8)
        appendDecimal(status, to: &buffer)
        buffer.append(0x20)
        buffer.append(contentsOf: reasonPhrase(status).utf8)
        buffer.append(contentsOf: crlf)
        buffer.append(contentsOf: "Date: ".utf8)
        buffer.append(contentsOf: date)
        buffer.append(contentsOf: crlf)
        for field in response.fields {
            if field.name.isEqualCaseInsensitive(to: "Content-Length")
                || field.name.isEqualCaseInsensitive(to: "Transfer-Encoding")
                || field.name.isEqualCaseInsensitive(to: "Connection")
                || field.name.isEqualCaseInsensitive(to: "Date")
            {
                continue
            }
            guard isToken(field.name), isFieldValue(field.value) else { continue }
            buffer.append(contentsOf: field.name.utf8)
            buffer.append(contentsOf: ": ".utf8)
            buffer.append(contentsOf: field.value.utf8)
            buffer.append(contentsOf: crlf)
        }
        if hasBody(status: status) {
            buffer.append(contentsOf: "Content-Length: ".utf8)
            appendDecimal(response.body.count, to: &buffer)
            buffer.append(contentsOf: crlf)
        }
        if options.close {
            buffer.append(contentsOf: "Connection: close\r\n".utf8)
        } else if options.keepAliveHeader {
            buffer.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        buffer.append(contentsOf: crlf)
    }

    /// Whether a response with this status carries content: 1xx and 204 never do, and must not send
    /// `Content-Length` (RFC 9110 §8.6); their body, if the responder gave one, is not written.
    static func hasBody(status: Int) -> Bool {
        status >= 200 && status != 204
    }

    private static let crlf: [UInt8] = [0x0D, 0x0A]

    private static func appendDecimal(_ value: Int, to buffer: inout [UInt8]) {
        let value = max(0, value)
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            buffer.append(UInt8(truncatingIfNeeded: 0x30 + rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    private static func isToken(_ name: String) -> Bool {
        guard !name.isEmpty else { return false }
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"):
                continue
            case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
                UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
                continue
            default:
                return false
            }
        }
        return true
    }

    private static func isFieldValue(_ value: String) -> Bool {
        for byte in value.utf8 where byte < 0x20 && byte != 0x09 || byte == 0x7F {
            return false
        }
        return true
    }

    /// The reason phrase of the statuses this server sends (RFC 9110 §15); others get an empty phrase.
    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 304: return "Not Modified"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 422: return "Unprocessable Content"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return ""
        }
    }
}
