/// What one call of ``HTTPRequestParser/parse(_:)`` found.
public enum HTTPParseEvent: Sendable, Equatable {
    /// Every byte given was consumed and more are needed.
    case needMore
    /// The request head is complete.
    case head(HTTPRequestHead)
    /// These offsets of the input given are body data (already de-chunked).
    case body(Range<Int>)
    /// The message is complete; the parser is ready for the next request on the connection.
    case end
    /// The request is refused; the parser stays in this state.
    case error(HTTPParserError)
}

/// The result of one ``HTTPRequestParser/parse(_:)`` call.
public struct HTTPParseResult: Sendable, Equatable {
    /// How many bytes of the input were consumed (the caller passes the rest again next time).
    public var consumed: Int
    public var event: HTTPParseEvent

    public init(consumed: Int, event: HTTPParseEvent) {
        self.consumed = consumed
        self.event = event
    }
}

/// A pure, incremental HTTP/1.1 request parser (RFC 9112), strict where the RFC allows leniency.
///
/// Feed it bytes as they arrive; it returns one event per call and how many bytes it consumed. It makes the
/// same decisions for any split of the input. It performs no I/O and allocates nothing for a declared length.
///
/// ```swift
/// var parser = HTTPRequestParser(limits: HTTPParserLimits())
/// var offset = 0
/// while true {
///     let result = bytes.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
///     offset += result.consumed
///     if result.event == .needMore { break }
/// }
/// ```
public struct HTTPRequestParser: Sendable {
    public let limits: HTTPParserLimits

    public init(limits: HTTPParserLimits) {
        self.limits = limits
    }

    /// Parses as much of `input` as it can up to the next event.
    ///
    /// Body ranges are offsets into `input`. After `.end` the parser expects the next request's first byte.
    public mutating func parse(_ input: UnsafeRawBufferPointer) -> HTTPParseResult {
        // Placeholder until the parser lands (issue #2).
        HTTPParseResult(consumed: 0, event: .error(.invalidRequestLine))
    }
}
