/// What one call of ``HTTPRequestParser/parse(_:)`` found.
public enum HTTPParseEvent: Sendable, Equatable {
    /// More bytes are needed. Bytes past ``HTTPParseResult/consumed`` must be presented again, followed by
    /// the new ones (for a head that has not ended, `consumed` is 0: the head stays in the caller's buffer).
    case needMore
    /// The request head is complete; `consumed` covers it (and the one ignored empty line before it, if any).
    case head(HTTPRequestHead)
    /// These offsets of the input given are body data (already de-chunked); `consumed` reaches their end.
    case body(Range<Int>)
    /// The message is complete; the parser is ready for the next request on the connection.
    case end
    /// The request is refused; the parser stays in this state and reads nothing more (`consumed` is 0).
    case error(HTTPParserError)
}

/// The result of one ``HTTPRequestParser/parse(_:)`` call.
public struct HTTPParseResult: Sendable, Equatable {
    /// How many bytes of the input were consumed; the caller presents the rest again next time.
    public var consumed: Int
    public var event: HTTPParseEvent

    public init(consumed: Int, event: HTTPParseEvent) {
        self.consumed = consumed
        self.event = event
    }
}

/// A pure, incremental HTTP/1.1 request parser (RFC 9112), strict where the RFC allows leniency.
///
/// Feed it bytes as they arrive; each call returns one event and how many bytes of the input it consumed.
/// It makes the same decisions for any split of the input. It performs no I/O, copies no body byte (body
/// events are ranges of the input) and allocates nothing for a declared length.
///
/// The contract with the caller:
/// - Present, on each call, the bytes after those consumed so far: the unconsumed rest of the previous input
///   followed by any new bytes. Never drop unconsumed bytes, never present consumed ones again.
/// - A head is consumed only when it is complete (`.head`): until then `.needMore` comes with `consumed == 0`
///   and the caller keeps the partial head in its buffer. The parser remembers how far it has validated, so it
///   does not scan those bytes again, and refuses (`.headerTooLarge`) as soon as the head would exceed
///   `maxHeaderBytes`: the caller never holds more than `maxHeaderBytes` plus one read of a head.
/// - Body bytes and chunked framing are consumed as they come: `.body(range)` consumes up to
///   `range.upperBound`; `.needMore` in a body consumes the whole input.
/// - After `.head` and after every `.body`, call again (even with no new bytes): the next event may be `.end`
///   without consuming anything. After `.end` the next byte starts the next (pipelined) request.
/// - After `.error` the parser stays failed; the caller answers ``HTTPParserError/status`` and closes.
///
/// ```swift
/// var parser = HTTPRequestParser(limits: HTTPParserLimits())
/// var offset = 0
/// loop: while true {
///     let result = bytes.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
///     offset += result.consumed
///     switch result.event {
///     case .needMore: break loop  // read more, append, present bytes[offset...] again
///     case .head(let head): print(head.method, head.target)
///     case .body(let range): print("\(range.count) body bytes")  // offsets into the slice given
///     case .end: print("request complete")
///     case .error(let error): print(error.status); break loop  // answer and close
///     }
/// }
/// ```
public struct HTTPRequestParser: Sendable {
    public let limits: HTTPParserLimits

    /// What the parser expects next.
    private enum Phase: Sendable {
        /// The head of the next request (possibly partly scanned already).
        case head
        /// The head had no body: `.end` is next.
        case endPending
        /// `remaining` bytes of a `Content-Length` body.
        case fixedBody(remaining: Int)
        /// A chunked body.
        case chunkedBody
        /// Refused; nothing more is read.
        case failed(HTTPParserError)
    }

    private var phase: Phase = .head
    private var head = HTTPHeadParser()
    private var chunked = HTTPChunkedDecoder()

    public init(limits: HTTPParserLimits) {
        self.limits = limits
    }

    /// Whether the parser waits for a new request and has seen none of its bytes (between requests, the
    /// caller's idle timeout applies rather than the header timeout).
    public var isAtRequestBoundary: Bool {
        if case .head = phase { return head.position == 0 }
        return false
    }

    /// The refusal, once the parser has failed.
    public var error: HTTPParserError? {
        if case .failed(let error) = phase { return error }
        return nil
    }

    /// Parses as much of `input` as it can up to the next event.
    ///
    /// - Parameter input: the bytes after those consumed so far (see the type's contract).
    /// - Returns: the event and how many bytes of `input` it consumed. Body ranges are offsets into `input`.
    public mutating func parse(_ input: UnsafeRawBufferPointer) -> HTTPParseResult {
        switch phase {
        case .head:
            switch head.scan(input, limits: limits) {
            case .needMore:
                return HTTPParseResult(consumed: 0, event: .needMore)
            case .failed(let error):
                return fail(error)
            case .complete(let requestHead, let length):
                head.reset()
                switch requestHead.framing {
                case .none, .length(0): phase = .endPending
                case .length(let n): phase = .fixedBody(remaining: n)
                case .chunked:
                    chunked = HTTPChunkedDecoder()
                    phase = .chunkedBody
                }
                return HTTPParseResult(consumed: length, event: .head(requestHead))
            }

        case .endPending:
            phase = .head
            return HTTPParseResult(consumed: 0, event: .end)

        case .fixedBody(let remaining):
            if remaining == 0 {
                phase = .head
                return HTTPParseResult(consumed: 0, event: .end)
            }
            let n = min(remaining, input.count)
            if n == 0 { return HTTPParseResult(consumed: 0, event: .needMore) }
            phase = .fixedBody(remaining: remaining &- n)
            return HTTPParseResult(consumed: n, event: .body(0..<n))

        case .chunkedBody:
            switch chunked.decode(input, limits: limits) {
            case .needMore:
                return HTTPParseResult(consumed: input.count, event: .needMore)
            case .data(let range):
                return HTTPParseResult(consumed: range.upperBound, event: .body(range))
            case .end(let consumed):
                phase = .head
                return HTTPParseResult(consumed: consumed, event: .end)
            case .failed(let error):
                return fail(error)
            }

        case .failed(let error):
            return HTTPParseResult(consumed: 0, event: .error(error))
        }
    }

    private mutating func fail(_ error: HTTPParserError) -> HTTPParseResult {
        phase = .failed(error)
        return HTTPParseResult(consumed: 0, event: .error(error))
    }
}
