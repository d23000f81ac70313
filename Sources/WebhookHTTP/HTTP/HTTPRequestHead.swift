/// The HTTP version of a request: 1.0 or 1.1 (anything else is refused by the parser).
public enum HTTPVersion: Sendable, Equatable {
    // swift-format-ignore: AlwaysUseLowerCamelCase
    case http1_0
    // swift-format-ignore: AlwaysUseLowerCamelCase
    case http1_1
}

/// How the body of a request is framed, as the parser decided from its head (RFC 9112 §6.3).
public enum HTTPBodyFraming: Sendable, Equatable {
    /// No body: neither `Content-Length` nor `Transfer-Encoding`.
    case none
    /// `Content-Length: n`.
    case length(Int)
    /// `Transfer-Encoding: chunked`.
    case chunked
}

/// A parsed request line and header section.
public struct HTTPRequestHead: Sendable, Equatable {
    /// The method token exactly as sent (methods are case-sensitive).
    public var method: String
    /// The request target exactly as sent: origin form `/path?query`, absolute form, `*` (OPTIONS) or
    /// `host:port` (CONNECT). Route by ``path``, which reads every form.
    public var target: String
    public var version: HTTPVersion
    public var fields: HTTPFields
    /// How the body is framed.
    public var framing: HTTPBodyFraming
    /// Whether the connection may carry another request after this one (version default and `Connection`).
    public var isKeepAlive: Bool
    /// Whether the client sent `Expect: 100-continue` and waits for it before the body.
    public var expectsContinue: Bool

    public init(
        method: String,
        target: String,
        version: HTTPVersion,
        fields: HTTPFields,
        framing: HTTPBodyFraming,
        isKeepAlive: Bool,
        expectsContinue: Bool
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.fields = fields
        self.framing = framing
        self.isKeepAlive = isKeepAlive
        self.expectsContinue = expectsContinue
    }

    /// The path part of the target, without the query.
    ///
    /// For the absolute form (`http://host/webhooks/gu1?x`) it is the path after the authority (`/webhooks/gu1`),
    /// or `/` when there is none, so such a request is routed like its origin form (RFC 9112 §3.2.2). For the
    /// asterisk and authority forms (`*`, `host:443`) it is the whole target, which never starts with `/`.
    public var path: Substring {
        var rest = target[...]
        if rest.first != "/", let scheme = rest.firstIndex(of: ":"), rest[scheme...].hasPrefix("://") {
            // The parser admits the absolute form only as `scheme://authority…`.
            let authority = rest[rest.index(scheme, offsetBy: 3)...]
            guard let pathStart = authority.firstIndex(where: { $0 == "/" || $0 == "?" }), authority[pathStart] == "/"
            else { return "/" }
            rest = authority[pathStart...]
        }
        if let q = rest.firstIndex(of: "?") { return rest[..<q] }
        return rest
    }

    /// The query part of the target, without the `?`, or nil.
    public var query: Substring? {
        guard let q = target.firstIndex(of: "?") else { return nil }
        return target[target.index(after: q)...]
    }
}
