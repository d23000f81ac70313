/// Why the parser refused a request. Every case is final: the connection answers `status` and closes, and no
/// byte after the refusal is read as another request.
public enum HTTPParserError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request line is not `method SP target SP HTTP/x.y CRLF`, the method is not a token, or more than
    /// one empty line precedes it.
    case invalidRequestLine
    /// The version is well-formed but not HTTP/1.0 or HTTP/1.1 (`HTTP/2.0`, `HTTP/1.2`, `HTTP/0.9`).
    case unsupportedVersion
    /// The request target has a byte that may not appear in it, a bad `%` escape, or no valid form.
    case invalidTarget
    /// The request target is longer than the limit (414).
    case targetTooLong
    /// A field line is malformed: no colon, whitespace before the colon, an empty or invalid name, a control
    /// byte in the value, obs-fold, bare CR or bare LF, or a value that is not UTF-8. Also used for a
    /// malformed trailer field.
    case invalidField
    /// The header section (or the trailer section) is larger than the limit, or has too many fields (431).
    case headerTooLarge
    /// `Content-Length` is not one field of digits only, or overflows.
    case invalidContentLength
    /// `Content-Length` together with `Transfer-Encoding`.
    case conflictingFraming
    /// `Transfer-Encoding` is not a list of tokens (an empty element, parameters, a stray byte).
    case invalidTransferEncoding
    /// A transfer coding other than `chunked`, or `chunked` not alone, e.g. `gzip, chunked` or
    /// `chunked, chunked` (501).
    case unsupportedTransferEncoding
    /// `Transfer-Encoding` lists several codings and the last is not `chunked` (`chunked, gzip`): the body's
    /// length cannot be determined (RFC 9112 §6.3).
    case chunkedNotLast
    /// `Transfer-Encoding` on an HTTP/1.0 request.
    case transferEncodingOnHTTP10
    /// A missing (HTTP/1.1) or repeated `Host`, or a `Host` value that is not `host[:port]`.
    case invalidHost
    /// A chunk size line is malformed or overflows, a chunk extension is malformed, or chunk data is not
    /// followed by CRLF.
    case invalidChunk
    /// The body is longer than the limit (413): a declared length is refused before any body byte is read.
    case bodyTooLarge
    /// A `Connection`, `Expect` or other field the parser interprets has a value it cannot accept
    /// (currently unused: the parser reads only the tokens it knows in those fields).
    case invalidFieldValue

    /// The status code to answer with before closing.
    public var status: Int {
        switch self {
        case .targetTooLong: return 414
        case .headerTooLarge: return 431
        case .bodyTooLarge: return 413
        case .unsupportedTransferEncoding: return 501
        default: return 400
        }
    }

    public var description: String {
        switch self {
        case .invalidRequestLine: return "malformed request line"
        case .unsupportedVersion: return "unsupported HTTP version"
        case .invalidTarget: return "invalid request target"
        case .targetTooLong: return "request target too long"
        case .invalidField: return "malformed header field"
        case .headerTooLarge: return "header section too large"
        case .invalidContentLength: return "invalid Content-Length"
        case .conflictingFraming: return "Content-Length together with Transfer-Encoding"
        case .invalidTransferEncoding: return "malformed Transfer-Encoding"
        case .unsupportedTransferEncoding: return "unsupported transfer coding"
        case .chunkedNotLast: return "transfer coding list not ending in chunked"
        case .transferEncodingOnHTTP10: return "Transfer-Encoding on HTTP/1.0"
        case .invalidHost: return "missing, repeated or invalid Host"
        case .invalidChunk: return "malformed chunk"
        case .bodyTooLarge: return "body too large"
        case .invalidFieldValue: return "invalid header value"
        }
    }
}
