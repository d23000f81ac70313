/// What a head's framing and connection fields say, read from their raw bytes once the head is complete.
///
/// Gathers `Content-Length`, `Transfer-Encoding`, `Host`, `Connection` and `Expect` (RFC 9112 §6, §9.3 and
/// RFC 9110 §7.2, §10.1.1), then ``framing(isHTTP11:maxBodyBytes:)`` decides, strictly, how the body is framed.
struct HTTPFramingFields: Sendable {
    var contentLengthCount = 0
    var contentLength = 0
    var isContentLengthValid = true
    var transferEncodingCount = 0
    var chunkedCount = 0
    var otherCodingCount = 0
    /// Whether the last coding listed so far (across every `Transfer-Encoding` field, in order) is `chunked`.
    var isLastCodingChunked = false
    var isTransferEncodingValid = true
    var hostCount = 0
    var isHostValid = true
    var isHostEmpty = false
    var hasClose = false
    var hasKeepAlive = false
    var expectsContinue = false

    /// Notes what one field line says, if it is one of the fields the parser interprets.
    mutating func inspect(_ span: HTTPHeadParser.FieldSpan, in input: UnsafeRawBufferPointer) {
        let start = span.valueStart
        let end = span.valueEnd
        switch span.nameEnd &- span.nameStart {
        case 4 where Self.name(input, span, is: "host"):
            hostCount &+= 1
            if start == end { isHostEmpty = true }
            var i = start
            while i < end {
                if !HTTPByteClass.isHost(input[i]) { isHostValid = false }
                i &+= 1
            }
        case 6 where Self.name(input, span, is: "expect"):
            Self.forEachElement(input, start, end) { s, e in
                if Self.bytes(input, s, e, equal: "100-continue") { expectsContinue = true }
            }
        case 10 where Self.name(input, span, is: "connection"):
            Self.forEachElement(input, start, end) { s, e in
                if Self.bytes(input, s, e, equal: "close") { hasClose = true }
                if Self.bytes(input, s, e, equal: "keep-alive") { hasKeepAlive = true }
            }
        case 14 where Self.name(input, span, is: "content-length"):
            contentLengthCount &+= 1
            inspectContentLength(input, start, end)
        case 17 where Self.name(input, span, is: "transfer-encoding"):
            transferEncodingCount &+= 1
            inspectTransferEncoding(input, start, end)
        default:
            break
        }
    }

    /// `Content-Length = 1*DIGIT`: no sign, no list, no space inside; leading zeros are decimal.
    private mutating func inspectContentLength(_ input: UnsafeRawBufferPointer, _ start: Int, _ end: Int) {
        guard start < end else {
            isContentLengthValid = false
            return
        }
        var value = 0
        var i = start
        while i < end {
            let c = input[i]
            guard c >= 0x30 && c <= 0x39 else {
                isContentLengthValid = false
                return
            }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int(c &- 0x30))
            guard !o1 && !o2 else {
                isContentLengthValid = false
                return
            }
            value = sum
            i &+= 1
        }
        contentLength = value
    }

    /// `Transfer-Encoding = #transfer-coding`, each element a bare token (no parameters, no empty element).
    private mutating func inspectTransferEncoding(_ input: UnsafeRawBufferPointer, _ start: Int, _ end: Int) {
        Self.forEachElement(input, start, end) { s, e in
            guard s < e else {
                isTransferEncodingValid = false
                return
            }
            var i = s
            while i < e {
                if !HTTPByteClass.isToken(input[i]) {
                    isTransferEncodingValid = false
                    return
                }
                i &+= 1
            }
            if Self.bytes(input, s, e, equal: "chunked") {
                chunkedCount &+= 1
                isLastCodingChunked = true
            } else {
                otherCodingCount &+= 1
                isLastCodingChunked = false
            }
        }
    }

    /// Decides the body framing (RFC 9112 §6.3), refusing every ambiguous or unsupported combination.
    ///
    /// - Parameters:
    ///   - isHTTP11: whether the request is HTTP/1.1 (`Transfer-Encoding` is refused on HTTP/1.0).
    ///   - maxBodyBytes: a declared length above it is refused now, before any body byte is read.
    /// - Returns: the framing, or the refusal.
    func framing(isHTTP11: Bool, maxBodyBytes: Int) -> Result<HTTPBodyFraming, HTTPParserError> {
        if transferEncodingCount > 0 {
            if !isHTTP11 { return .failure(.transferEncodingOnHTTP10) }
            if contentLengthCount > 0 { return .failure(.conflictingFraming) }
            if !isTransferEncodingValid { return .failure(.invalidTransferEncoding) }
            // RFC 9112 §6.3: with a list of codings whose last is not chunked the body cannot be framed (400);
            // one coding alone that is not chunked is one we do not implement (501, below).
            if chunkedCount &+ otherCodingCount > 1 && !isLastCodingChunked { return .failure(.chunkedNotLast) }
            // Exactly one coding, chunked: `gzip, chunked`, `chunked, identity` and `chunked, chunked` are not
            // supported (RFC 9112 §6.1: chunked at most once, and last).
            if chunkedCount != 1 || otherCodingCount != 0 { return .failure(.unsupportedTransferEncoding) }
            return .success(.chunked)
        }
        if contentLengthCount > 0 {
            if contentLengthCount > 1 || !isContentLengthValid { return .failure(.invalidContentLength) }
            if contentLength > maxBodyBytes { return .failure(.bodyTooLarge) }
            return .success(.length(contentLength))
        }
        return .success(.none)
    }

    // MARK: Byte helpers

    /// Whether the span's name equals `lowercase` ASCII case-insensitively (lengths already match).
    private static func name(
        _ input: UnsafeRawBufferPointer,
        _ span: HTTPHeadParser.FieldSpan,
        is lowercase: StaticString
    ) -> Bool {
        bytes(input, span.nameStart, span.nameEnd, equal: lowercase)
    }

    /// Whether `input[start..<end]` equals `lowercase` ASCII case-insensitively.
    static func bytes(_ input: UnsafeRawBufferPointer, _ start: Int, _ end: Int, equal lowercase: StaticString) -> Bool
    {
        let count = lowercase.utf8CodeUnitCount
        guard end &- start == count else { return false }
        let literal = lowercase.utf8Start
        var k = 0
        while k < count {
            if HTTPByteClass.lower(input[start &+ k]) != literal[k] { return false }
            k &+= 1
        }
        return true
    }

    /// Calls `body` with the bounds of each comma-separated element of `input[start..<end]`, OWS trimmed.
    static func forEachElement(
        _ input: UnsafeRawBufferPointer,
        _ start: Int,
        _ end: Int,
        _ body: (Int, Int) -> Void
    ) {
        var elementStart = start
        var i = start
        while i <= end {
            if i == end || input[i] == 0x2C {
                var s = elementStart
                var e = i
                while s < e && HTTPByteClass.isWhitespace(input[s]) { s &+= 1 }
                while e > s && HTTPByteClass.isWhitespace(input[e &- 1]) { e &-= 1 }
                body(s, e)
                elementStart = i &+ 1
            }
            i &+= 1
        }
    }
}
