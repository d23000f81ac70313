/// The protocol logic of one HTTP/1.1 connection, as a pure state machine (CONTRIBUTING.md rule 15).
///
/// It owns the parser and the body being read, decides keep-alive, `100 Continue`, early refusals (drain or
/// close), error responses and timeouts, and tells the I/O layer what to do through ``Action``. It performs
/// no I/O and reads no clock: every event carries `now`, monotonic nanoseconds, so tests drive it with
/// made-up times.
///
/// One request at a time: after a request is handed to the responder, nothing more is parsed until its
/// response has been written completely (``canParse``), so pipelined requests are answered in order and the
/// bytes of the next ones wait, unparsed, in the connection's buffer.
///
/// ```
/// idle ──byte──► readingHead ──head──► preflight ─┬─ nil ──► readingBody ──end──► awaitingResponse ──response──► idle
///   ▲                                             └─ refusal ──► draining ──end──► idle                           │
///   └──────────────────────────────────────── write completed (keep-alive) ◄──────────────────────────────────────┘
/// any error, timeout or `Connection: close` ──► closing ──write completed──► lingering ──EOF or deadline──► closed
/// ```
struct HTTPConnectionStateMachine {
    /// The deadlines the machine enforces, in nanoseconds.
    struct Timeouts: Sendable, Equatable {
        /// Whole request head, from its first byte (a trickle does not extend it).
        var header: UInt64
        /// Whole body, from the end of the head; also the time a response may take to be written.
        var body: UInt64
        /// A kept-alive connection with no request in progress.
        var idle: UInt64
        /// After the last response of a closing connection: how long to read and discard what the client
        /// still sends, so that closing does not reset the connection before the client has read the response.
        var linger: UInt64

        init(header: UInt64, body: UInt64, idle: UInt64, linger: UInt64 = 2_000_000_000) {
            self.header = header
            self.body = body
            self.idle = idle
            self.linger = linger
        }

        init(_ configuration: HTTPServerConfiguration) {
            self.init(
                header: Self.nanoseconds(configuration.headerTimeoutSeconds),
                body: Self.nanoseconds(configuration.bodyTimeoutSeconds),
                idle: Self.nanoseconds(configuration.idleTimeoutSeconds)
            )
        }

        static func nanoseconds(_ seconds: Double) -> UInt64 {
            guard seconds > 0 else { return 0 }
            return UInt64(min(seconds, 86_400 * 365) * 1_000_000_000)
        }
    }

    /// How the server frames one response.
    struct ResponseOptions: Sendable, Equatable {
        /// Add `Connection: close`, then close once written.
        var close: Bool
        /// Add `Connection: keep-alive` (an HTTP/1.0 client that asked for it).
        var keepAliveHeader: Bool
        /// A `HEAD` request: send the head with the body's `Content-Length`, not the body.
        var omitBody: Bool
    }

    /// What the I/O layer must do next.
    enum Action: Equatable {
        /// Nothing: keep parsing buffered bytes, or read more when ``canParse`` allows.
        case none
        /// Call the responder's preflight with this head, then ``preflightAnswered(_:now:)``.
        case preflight(HTTPRequestHead)
        /// Write `HTTP/1.1 100 Continue`, then ``writeCompleted(now:)``.
        case sendContinue
        /// Call the responder with this request; its response comes back through
        /// ``responseReady(_:sequence:now:)`` with the same sequence number.
        case respond(HTTPRequestHead, body: [UInt8], sequence: UInt64)
        /// Write this response, then ``writeCompleted(now:)``.
        case write(HTTPResponse, ResponseOptions)
        /// Half-close, then read and discard until end-of-file or the ``deadline`` (then close).
        case linger
        /// Close the connection now, without writing anything more.
        case close
    }

    enum State: Equatable {
        /// Between requests; closed silently at the deadline.
        case idle(deadline: UInt64)
        /// At least one byte of a head has arrived.
        case readingHead(deadline: UInt64)
        /// The head is complete; the responder's preflight decides.
        case preflight(HTTPRequestHead)
        /// Reading the body of an accepted head.
        case readingBody(HTTPRequestHead, deadline: UInt64)
        /// Refused early: reading and dropping the declared body to keep the connection.
        case draining(deadline: UInt64)
        /// The responder has the request; nothing is parsed until its response is written.
        case awaitingResponse(HTTPRequestHead, sequence: UInt64)
        /// The last response is being written; then the connection closes.
        case closing
        /// Half-closed after the last response; discarding input until end-of-file or the deadline.
        case lingering(deadline: UInt64)
        /// Done: the I/O layer closes the socket.
        case closed
    }

    // MARK: Member variables

    let timeouts: Timeouts
    let maxBodyBytes: Int
    private(set) var parser: HTTPRequestParser
    private(set) var state: State
    /// A write is in progress (``Action/write(_:_:)`` or ``Action/sendContinue`` not yet completed).
    private(set) var isWriting = false
    private var writeDeadline: UInt64 = 0
    /// The body of the request being read.
    private var body: [UInt8] = []
    private var lastSequence: UInt64 = 0
    private var isShuttingDown = false
    /// The peer sent end-of-file after a complete request: answer it, then close.
    private var isPeerHalfClosed = false

    // MARK: Initialization

    init(limits: HTTPParserLimits, timeouts: Timeouts, now: UInt64) {
        self.parser = HTTPRequestParser(limits: limits)
        self.maxBodyBytes = limits.maxBodyBytes
        self.timeouts = timeouts
        // A new connection gets the header timeout to send its first byte, not the keep-alive idle timeout:
        // a client that connects and says nothing holds a slot for seconds, not minutes (closed silently).
        self.state = .idle(deadline: now &+ min(timeouts.header, timeouts.idle))
    }

    // MARK: Queries

    /// Whether the I/O layer may feed bytes to ``parse(_:now:)`` now.
    var canParse: Bool {
        switch state {
        case .idle, .readingHead, .readingBody:
            return !isWriting
        case .draining:
            // The refusal may still be flushing while its body is drained.
            return true
        case .preflight, .awaitingResponse, .closing, .lingering, .closed:
            return false
        }
    }

    /// Whether input should be read and thrown away (lingering close).
    var isLingering: Bool {
        if case .lingering = state { return true }
        return false
    }

    var isClosed: Bool { state == .closed }

    /// The earliest instant at which ``timedOut(now:)`` has something to do, or nil.
    var deadline: UInt64? {
        let stateDeadline: UInt64?
        switch state {
        case .idle(let deadline):
            stateDeadline = isWriting ? nil : deadline
        case .readingHead(let deadline), .readingBody(_, let deadline), .draining(let deadline),
            .lingering(let deadline):
            stateDeadline = deadline
        case .preflight, .awaitingResponse, .closing, .closed:
            stateDeadline = nil
        }
        guard isWriting else { return stateDeadline }
        return min(stateDeadline ?? .max, writeDeadline)
    }

    // MARK: Events

    /// Parses buffered input up to the next event and returns what to do with it.
    ///
    /// - Parameters:
    ///   - input: unparsed bytes; may be empty (the parser may still have an event, like the end of a head
    ///     without a body).
    ///   - now: monotonic nanoseconds.
    /// - Returns: how many bytes were consumed, whether the parser needs more input, and the action.
    mutating func parse(
        _ input: UnsafeRawBufferPointer,
        now: UInt64
    ) -> (consumed: Int, needsMore: Bool, action: Action) {
        precondition(canParse, "parse called in state \(state)")
        if case .idle = state {
            if input.isEmpty { return (0, true, .none) }
            // The first byte of a request starts the whole-head deadline.
            state = .readingHead(deadline: now &+ timeouts.header)
        }
        let result = parser.parse(input)
        switch result.event {
        case .needMore:
            return (result.consumed, true, .none)
        case .head(let head):
            return (result.consumed, false, receivedHead(head))
        case .body(let range):
            if case .readingBody = state {
                body.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[range]))
            }
            return (result.consumed, false, .none)
        case .end:
            return (result.consumed, false, receivedEnd(now: now))
        case .error(let error):
            return (result.consumed, false, refuse(error, now: now))
        }
    }

    private mutating func receivedHead(_ head: HTTPRequestHead) -> Action {
        switch state {
        case .readingHead:
            state = .preflight(head)
            return .preflight(head)
        case .draining:
            // The parser reports a head only at the start of a message; a draining message has one already.
            return .none
        default:
            preconditionFailure("head in state \(state)")
        }
    }

    private mutating func receivedEnd(now: UInt64) -> Action {
        switch state {
        case .readingBody(let head, _):
            lastSequence &+= 1
            let request = body
            body = []
            state = .awaitingResponse(head, sequence: lastSequence)
            return .respond(head, body: request, sequence: lastSequence)
        case .draining:
            if isShuttingDown {
                state = .closing
                return isWriting ? .none : finishClosing(now: now)
            }
            state = .idle(deadline: now &+ timeouts.idle)
            return .none
        default:
            preconditionFailure("end of message in state \(state)")
        }
    }

    /// The parser refused the request: answer its status and close; bytes after it are never parsed.
    private mutating func refuse(_ error: HTTPParserError, now: UInt64) -> Action {
        body = []
        if case .draining = state {
            // The refusal is already written or being written; a malformed body to drain just closes.
            state = .closing
            return isWriting ? .none : finishClosing(now: now)
        }
        state = .closing
        return write(
            Self.errorResponse(status: error.status),
            options: .init(close: true, keepAliveHeader: false, omitBody: false),
            now: now
        )
    }

    /// The responder's preflight answered: a refusal to send at once, or nil to read the body.
    mutating func preflightAnswered(_ refusal: HTTPResponse?, now: UInt64) -> Action {
        guard case .preflight(let head) = state else {
            preconditionFailure("preflight answer in state \(state)")
        }
        let bodyLength: Int? // nil: chunked
        switch head.framing {
        case .none: bodyLength = 0
        case .length(let length): bodyLength = length
        case .chunked: bodyLength = nil
        }
        if let refusal {
            // Keep the connection only if the body can be drained: the client asked for keep-alive, the body
            // is within the limit, and the client is not waiting for a 100 Continue that will never come (it
            // might then never send the body, or send it later, either way the next request is unclear).
            var keep = head.isKeepAlive && !isShuttingDown
            if let bodyLength {
                if bodyLength > maxBodyBytes || (head.expectsContinue && bodyLength > 0) { keep = false }
            } else if head.expectsContinue {
                keep = false
            }
            if keep {
                state = .draining(deadline: now &+ timeouts.body)
                return write(refusal, options: options(for: head, close: false), now: now)
            }
            state = .closing
            return write(refusal, options: options(for: head, close: true), now: now)
        }
        if let bodyLength, bodyLength > maxBodyBytes {
            state = .closing
            return write(Self.errorResponse(status: 413), options: options(for: head, close: true), now: now)
        }
        if let bodyLength, bodyLength > 0 {
            body.reserveCapacity(bodyLength)
        }
        state = .readingBody(head, deadline: now &+ timeouts.body)
        if head.expectsContinue && head.version == .http1_1 && bodyLength != 0 {
            isWriting = true
            writeDeadline = now &+ timeouts.body
            return .sendContinue
        }
        return .none
    }

    /// The responder's response for request `sequence` arrived (from any thread, delivered on the loop).
    ///
    /// A response for a request that is not awaited (a second call of the writer) is dropped.
    mutating func responseReady(_ response: HTTPResponse, sequence: UInt64, now: UInt64) -> Action {
        guard case .awaitingResponse(let head, let awaited) = state, awaited == sequence else {
            return .none
        }
        let close = !head.isKeepAlive || isShuttingDown || isPeerHalfClosed || Self.asksToClose(response)
        state = close ? .closing : .idle(deadline: now &+ timeouts.idle)
        return write(response, options: options(for: head, close: close), now: now)
    }

    /// Everything given to the last write action went out.
    mutating func writeCompleted(now: UInt64) -> Action {
        isWriting = false
        switch state {
        case .closing:
            return finishClosing(now: now)
        case .idle:
            if isShuttingDown {
                state = .closed
                return .close
            }
            // The idle timeout counts from the moment the response left.
            state = .idle(deadline: now &+ timeouts.idle)
            return .none
        default:
            return .none
        }
    }

    /// The peer closed its sending side (read returned end-of-file).
    mutating func peerClosed(now: UInt64) -> Action {
        switch state {
        case .awaitingResponse:
            // A complete request followed by a half-close (`nc -N`, say): still answer it, then close.
            isPeerHalfClosed = true
            return .none
        case .closing:
            return .none
        case .idle where isWriting:
            state = .closing
            return .none
        default:
            // Between requests, or a partial request: nobody to answer.
            state = .closed
            return .close
        }
    }

    /// A deadline passed (the I/O layer checks ``deadline`` periodically).
    mutating func timedOut(now: UInt64) -> Action {
        if isWriting && now >= writeDeadline {
            // The client does not read its response.
            state = .closed
            return .close
        }
        switch state {
        case .idle(let deadline) where !isWriting && now >= deadline:
            state = .closed
            return .close
        case .readingHead(let deadline) where now >= deadline,
            .readingBody(_, let deadline) where now >= deadline:
            body = []
            if isWriting {
                state = .closed
                return .close
            }
            state = .closing
            return write(
                Self.errorResponse(status: 408),
                options: .init(close: true, keepAliveHeader: false, omitBody: false),
                now: now
            )
        case .draining(let deadline) where now >= deadline,
            .lingering(let deadline) where now >= deadline:
            state = .closed
            return .close
        default:
            return .none
        }
    }

    /// The server is shutting down: close now if idle, otherwise after the response in progress.
    mutating func beginShutdown(now: UInt64) -> Action {
        isShuttingDown = true
        switch state {
        case .idle where !isWriting:
            state = .closed
            return .close
        case .idle:
            state = .closing
            return .none
        default:
            return .none
        }
    }

    /// The I/O layer closed the socket (error, reset, or the end of lingering).
    mutating func closed() {
        state = .closed
        isWriting = false
        body = []
    }

    // MARK: Helpers

    private mutating func write(_ response: HTTPResponse, options: ResponseOptions, now: UInt64) -> Action {
        isWriting = true
        writeDeadline = now &+ timeouts.body
        return .write(response, options)
    }

    private mutating func finishClosing(now: UInt64) -> Action {
        state = .lingering(deadline: now &+ timeouts.linger)
        return .linger
    }

    private func options(for head: HTTPRequestHead, close: Bool) -> ResponseOptions {
        ResponseOptions(
            close: close,
            keepAliveHeader: !close && head.version == .http1_0,
            omitBody: head.method == "HEAD"
        )
    }

    /// Whether the responder set `Connection: close` itself.
    private static func asksToClose(_ response: HTTPResponse) -> Bool {
        guard let value = response.fields["Connection"] else { return false }
        return value.split(separator: ",").contains {
            $0.trimmingSpaces().isEqualCaseInsensitive(to: "close")
        }
    }

    /// The small JSON answer to a refused or timed-out request.
    static func errorResponse(status: Int) -> HTTPResponse {
        let code: String
        switch status {
        case 408: code = "request_timeout"
        case 413: code = "payload_too_large"
        case 414: code = "uri_too_long"
        case 431: code = "header_fields_too_large"
        case 501: code = "not_implemented"
        default: code = "bad_request"
        }
        return .error(status, code)
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs (optional whitespace of RFC 9110 lists).
    func trimmingSpaces() -> String {
        var start = startIndex
        var end = endIndex
        while start < end, self[start] == " " || self[start] == "\t" { start = index(after: start) }
        while end > start, self[index(before: end)] == " " || self[index(before: end)] == "\t" {
            end = index(before: end)
        }
        return String(self[start..<end])
    }
}
