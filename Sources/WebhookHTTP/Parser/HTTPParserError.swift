/// Why the parser refused a request. Every case is final: the connection answers `status` and closes.
public enum HTTPParserError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request line is not `method SP target SP HTTP/x.y CRLF`, or the method is not a token.
    case invalidRequestLine
    /// The version is not HTTP/1.0 or HTTP/1.1.
    case unsupportedVersion
    /// The request target has a byte that may not appear in it.
    case invalidTarget
    /// The request target is longer than the limit (414).
    case targetTooLong
    /// A field line is malformed: no colon, whitespace before the colon, an invalid name or value byte,
    /// obs-fold, bare CR or bare LF.
    case invalidField
    /// The header section is larger than the limit, or has too many fields (431).
    case headerTooLarge
    /// `Content-Length` is not one field of digits only, or overflows.
    case invalidContentLength
    /// `Content-Length` together with `Transfer-Encoding`.
    case conflictingFraming
    /// A transfer coding other than `chunked`, or `chunked` not last (501).
    case unsupportedTransferEncoding
    /// `Transfer-Encoding` on an HTTP/1.0 request.
    case transferEncodingOnHTTP10
    /// A missing or repeated `Host` on HTTP/1.1.
    case invalidHost
    /// A chunk size line is malformed or overflows, or chunk data is not followed by CRLF.
    case invalidChunk
    /// The body is longer than the limit (413).
    case bodyTooLarge
    /// A `Connection`, `Expect` or other field the parser interprets has a value it cannot accept.
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
        case .unsupportedTransferEncoding: return "unsupported transfer coding"
        case .transferEncodingOnHTTP10: return "Transfer-Encoding on HTTP/1.0"
        case .invalidHost: return "missing or repeated Host"
        case .invalidChunk: return "malformed chunk"
        case .bodyTooLarge: return "body too large"
        case .invalidFieldValue: return "invalid header value"
        }
    }
}
