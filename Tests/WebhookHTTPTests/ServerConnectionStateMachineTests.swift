import Testing

@testable import WebhookHTTP

/// The per-connection protocol logic, driven without sockets and with made-up times (nanoseconds).
@Suite struct ServerConnectionStateMachineTests {
    typealias Machine = HTTPConnectionStateMachine
    static let second: UInt64 = 1_000_000_000

    static func machine(now: UInt64 = 0, maxBodyBytes: Int = 1024) -> Machine {
        Machine(
            limits: HTTPParserLimits(maxBodyBytes: maxBodyBytes),
            timeouts: .init(header: 1 * second, body: 2 * second, idle: 5 * second),
            now: now
        )
    }

    /// Feeds `text` as the event loop does: parse until the parser needs input or the machine stops taking
    /// it; answers preflight with `refusal`. Returns the actions and the unconsumed bytes.
    @discardableResult
    static func feed(
        _ machine: inout Machine,
        _ text: String,
        now: UInt64,
        refusal: HTTPResponse? = nil
    ) -> (actions: [Machine.Action], rest: String) {
        let bytes = Array(text.utf8)
        var actions: [Machine.Action] = []
        var offset = 0
        var mayHaveEvent = true
        while machine.canParse {
            if offset == bytes.count && !mayHaveEvent { break }
            let (consumed, needsMore, action) = bytes.withUnsafeBytes {
                machine.parse(UnsafeRawBufferPointer(rebasing: $0[offset...]), now: now)
            }
            offset += consumed
            mayHaveEvent = !needsMore
            if case .preflight = action {
                actions.append(action)
                actions.append(machine.preflightAnswered(refusal, now: now))
            } else if action != .none {
                actions.append(action)
            }
            if needsMore { break }
        }
        return (actions.filter { $0 != .none }, String(decoding: bytes[offset...], as: UTF8.self))
    }

    static func sequence(of actions: [Machine.Action]) -> UInt64? {
        for case .respond(_, _, let sequence) in actions { return sequence }
        return nil
    }

    @Test func headerDeadlineRunsFromTheFirstByte() {
        var machine = Self.machine(now: 0)
        var buffered = ""
        // A trickle: one piece every 300 ms never completes the head.
        for (index, piece) in ["GE", "T / HT", "TP/1.1\r\n", "Host: x\r\n"].enumerated() {
            buffered += piece
            buffered = Self.feed(&machine, buffered, now: UInt64(index) * 300_000_000).rest
        }
        #expect(machine.deadline == Self.second)
        #expect(machine.timedOut(now: Self.second - 1) == .none)
        let action = machine.timedOut(now: Self.second)
        guard case .write(let response, let options) = action else {
            Issue.record("expected a 408, got \(action)")
            return
        }
        #expect(response.status == 408)
        #expect(options.close)
        #expect(machine.writeCompleted(now: Self.second) == .linger)
        #expect(machine.isLingering)
    }

    @Test func newConnectionWithoutBytesClosesSilentlyAtTheHeaderDeadline() {
        var machine = Self.machine(now: 10)
        #expect(machine.deadline == 10 + Self.second)
        #expect(machine.timedOut(now: 10 + Self.second) == .close)
        #expect(machine.isClosed)
    }

    @Test func keptAliveConnectionClosesSilentlyAtTheIdleDeadline() throws {
        var machine = Self.machine(now: 0)
        let sequence = try #require(
            Self.sequence(of: Self.feed(&machine, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", now: 0).actions)
        )
        _ = machine.responseReady(HTTPResponse(status: 200), sequence: sequence, now: 1)
        #expect(machine.writeCompleted(now: 2) == .none)
        #expect(machine.deadline == 2 + 5 * Self.second)
        #expect(machine.timedOut(now: 1 + 5 * Self.second) == .none)
        #expect(machine.timedOut(now: 2 + 5 * Self.second) == .close)
    }

    @Test func keepAliveCycleAndPipelinedBytesWait() throws {
        var machine = Self.machine()
        let (actions, rest) = Self.feed(
            &machine,
            "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n",
            now: 0
        )
        let sequence = try #require(Self.sequence(of: actions))
        // The second request waits, unparsed, until the first response is written.
        #expect(rest == "GET /b HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(!machine.canParse)
        #expect(machine.responseReady(HTTPResponse(status: 200), sequence: sequence + 1, now: 1) == .none)
        let write = machine.responseReady(HTTPResponse(status: 200), sequence: sequence, now: 1)
        #expect(
            write == .write(HTTPResponse(status: 200), .init(close: false, keepAliveHeader: false, omitBody: false))
        )
        #expect(!machine.canParse)
        #expect(machine.writeCompleted(now: 2) == .none)
        #expect(machine.canParse)
        #expect(machine.deadline == 2 + 5 * Self.second)
        let second = Self.feed(&machine, rest, now: 3)
        #expect(Self.sequence(of: second.actions) == sequence + 1)
    }

    @Test func expectContinueIsAnsweredOnlyWhenTheBodyIsWanted() {
        let head = "POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"
        var accepting = Self.machine()
        #expect(Self.feed(&accepting, head, now: 0).actions.contains(.sendContinue))

        var refusing = Self.machine()
        let refusal = HTTPResponse.json(401, "{}")
        let actions = Self.feed(&refusing, head, now: 0, refusal: refusal).actions
        #expect(!actions.contains(.sendContinue))
        // The client may never send the body: close after the refusal.
        #expect(actions.contains(.write(refusal, .init(close: true, keepAliveHeader: false, omitBody: false))))
    }

    @Test func earlyRefusalDrainsTheDeclaredBodyThenAcceptsTheNextRequest() {
        var machine = Self.machine()
        let refusal = HTTPResponse.json(404, "{}")
        let first = Self.feed(
            &machine,
            "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab",
            now: 0,
            refusal: refusal
        )
        #expect(first.actions.contains(.write(refusal, .init(close: false, keepAliveHeader: false, omitBody: false))))
        // Draining goes on while the refusal is being written.
        #expect(machine.canParse)
        _ = Self.feed(&machine, "cde", now: 1)
        #expect(machine.writeCompleted(now: 2) == .none)
        let next = Self.feed(&machine, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", now: 3)
        #expect(Self.sequence(of: next.actions) != nil)
    }

    @Test func refusalOfABodyOverTheLimitCloses() {
        var machine = Self.machine(maxBodyBytes: 10)
        let refusal = HTTPResponse.json(404, "{}")
        // The parser refuses the declared length itself (413), before any preflight.
        let actions = Self.feed(
            &machine,
            "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n",
            now: 0,
            refusal: refusal
        ).actions
        guard case .write(let response, let options) = actions.last else {
            Issue.record("expected a write, got \(actions)")
            return
        }
        #expect(response.status == 413)
        #expect(options.close)
    }

    @Test func http10KeepAliveAndHeadOptions() throws {
        var machine = Self.machine()
        let actions = Self.feed(&machine, "HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", now: 0).actions
        let sequence = try #require(Self.sequence(of: actions))
        let write = machine.responseReady(HTTPResponse(status: 200, body: [1, 2]), sequence: sequence, now: 0)
        #expect(
            write
                == .write(
                    HTTPResponse(status: 200, body: [1, 2]),
                    .init(close: false, keepAliveHeader: true, omitBody: true)
                )
        )
    }

    @Test func malformedRequestIsAnsweredWith400AndNothingAfterIsParsed() {
        var machine = Self.machine()
        let (actions, _) = Self.feed(
            &machine,
            "GET / HTTP/1.1\r\nBad Header: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
            now: 0
        )
        #expect(
            actions == [
                .write(Machine.errorResponse(status: 400), .init(close: true, keepAliveHeader: false, omitBody: false))
            ]
        )
        #expect(!machine.canParse)
    }

    @Test func shutdownClosesIdleAndMarksTheResponseInProgress() throws {
        var idle = Self.machine()
        #expect(idle.beginShutdown(now: 0) == .close)

        var busy = Self.machine()
        let sequence = try #require(
            Self.sequence(of: Self.feed(&busy, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", now: 0).actions)
        )
        #expect(busy.beginShutdown(now: 1) == .none)
        let write = busy.responseReady(HTTPResponse(status: 200), sequence: sequence, now: 2)
        #expect(write == .write(HTTPResponse(status: 200), .init(close: true, keepAliveHeader: false, omitBody: false)))
        #expect(busy.writeCompleted(now: 3) == .linger)
    }

    /// A complete request followed by end-of-file is still answered, then the connection closes.
    @Test func halfClosedPeerStillGetsItsResponse() throws {
        var machine = Self.machine()
        let sequence = try #require(
            Self.sequence(of: Self.feed(&machine, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", now: 0).actions)
        )
        #expect(machine.peerClosed(now: 1) == .none)
        let write = machine.responseReady(HTTPResponse(status: 200), sequence: sequence, now: 2)
        #expect(write == .write(HTTPResponse(status: 200), .init(close: true, keepAliveHeader: false, omitBody: false)))
    }

    @Test func partialRequestThenEndOfFileJustCloses() {
        var machine = Self.machine()
        _ = Self.feed(&machine, "GET / HT", now: 0)
        #expect(machine.peerClosed(now: 1) == .close)
    }

    @Test func writeThatNeverCompletesIsCutAtTheBodyDeadline() throws {
        var machine = Self.machine()
        let sequence = try #require(
            Self.sequence(of: Self.feed(&machine, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", now: 0).actions)
        )
        _ = machine.responseReady(HTTPResponse(status: 200), sequence: sequence, now: 0)
        #expect(machine.deadline == 2 * Self.second)
        #expect(machine.timedOut(now: 2 * Self.second) == .close)
    }
}

@Suite struct ServerConnectionFootprintTests {
    /// A slow or idle client costs a few hundred bytes of state, never a thread or a buffer.
    @Test func connectionStateIsAFewHundredBytes() {
        let size = MemoryLayout<HTTPConnectionStateMachine>.size
        #expect(size < 512)
    }
}
