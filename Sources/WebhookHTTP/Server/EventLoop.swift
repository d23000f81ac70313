import Glibc
import Synchronization
import SystemSupport

/// State shared by every event loop of one server.
final class ServerCounters: Sendable {
    /// Open connections across all loops (``HTTPServerConfiguration/maxConnections``).
    let openConnections = Atomic<Int>(0)
    /// Source of request identifiers.
    let requests = Atomic<UInt64>(0)
}

/// One event-loop thread: an epoll set, its own listening sockets, and the connections it accepted.
///
/// The server binds one listening socket per address; each loop registers its own duplicate descriptor of it
/// with `EPOLLEXCLUSIVE`, so a new connection wakes one loop, which accepts it and keeps it. (Not
/// `SO_REUSEPORT`: with it a second instance of the daemon started by mistake would silently share the port
/// instead of failing with "Address already in use".) No descriptor is shared between threads. A busy loop
/// is not waiting in `epoll_wait`, so the kernel wakes another one for the next connection; an idle server
/// may give most connections to one loop, which costs nothing while it is idle.
///
/// Connections are non-blocking and registered edge-triggered once (`EPOLLIN | EPOLLOUT | EPOLLRDHUP |
/// EPOLLET`), so the loop never calls `epoll_ctl` per request: a keep-alive request costs one `recv` and one
/// `sendmsg` (plus a share of `epoll_wait`). Timeouts are checked by one scan of the loop's connections
/// every 250 ms against the deadlines kept by each connection's state machine
/// (``HTTPConnectionStateMachine/deadline``): no timer per connection or per syscall, and the cost is one
/// comparison per connection four times a second (4 000 comparisons a second at 1 024 connections), so a
/// sorted structure or a timer wheel would buy nothing at this scale. A deadline fires up to 250 ms late.
///
/// Thread confinement: everything except ``mailbox``, ``wakeup`` and ``loopThread`` is touched only by the loop
/// thread (after `init`, which runs before the thread starts, and before ``OSThread/start(name:stackSize:_:)`` publishes it).
/// Responses written from other threads go into the `Mutex`-protected mailbox, and the eventfd wakes the loop;
/// a response written on the loop thread itself (the responder answered synchronously) skips both. That
/// invariant is why the class is `@unchecked Sendable`.
final class EventLoop: @unchecked Sendable {
    /// A message from another thread.
    enum Message {
        case response(ConnectionID, sequence: UInt64, HTTPResponse)
        case shutdown(deadline: UInt64)
    }

    private struct Mailbox {
        var messages: [Message] = []
        /// False once the loop has exited: late responses are dropped (the connection is gone).
        var isOpen = true
    }

    private static let wakeupTag = UInt64.max
    private static let listenerTagBase = UInt64.max - 1
    private static let timerInterval: UInt64 = 250_000_000
    private static let readBufferSize = 65_536

    // MARK: Member variables

    let index: Int
    private let responder: any HTTPResponder
    private let limits: HTTPParserLimits
    private let timeouts: HTTPConnectionStateMachine.Timeouts
    private let maxConnections: Int
    private let onRefusedConnection: (@Sendable (RefusedConnection) -> Void)?
    private let counters: ServerCounters
    private let latch: Latch

    private let mailbox = Mutex(Mailbox())
    private let wakeup: EventFD
    private let loopThread = Atomic<UInt>(0)

    // Loop-thread state.
    private let epoll: Epoll
    private var listeners: [Socket] = []
    private var isAcceptPaused = false
    private var connections: [HTTPConnection?] = []
    private var connectionCount = 0
    private var generation: UInt32 = 0
    private let readBuffer: UnsafeMutableRawBufferPointer
    private var headBuffer: [UInt8] = []
    /// The `Date` of responses, formatted once per second.
    private var date = HTTPDate()
    /// Responses written synchronously on the loop thread, handled after the current connection's turn.
    private var localResponses: [(ConnectionID, UInt64, HTTPResponse)] = []
    private var shutdownDeadline: UInt64?
    private var now: UInt64

    // MARK: Initialization

    init(
        index: Int,
        configuration: HTTPServerConfiguration,
        responder: any HTTPResponder,
        counters: ServerCounters,
        latch: Latch
    ) throws(SystemError) {
        self.index = index
        self.responder = responder
        self.limits = configuration.parserLimits
        self.timeouts = HTTPConnectionStateMachine.Timeouts(configuration)
        self.maxConnections = max(1, configuration.maxConnections)
        self.onRefusedConnection = configuration.onRefusedConnection
        self.counters = counters
        self.latch = latch
        self.now = monotonicNanoseconds()
        let epoll = try Epoll()
        let wakeup: EventFD
        do {
            wakeup = try EventFD()
        } catch {
            epoll.close()
            throw error
        }
        do {
            try epoll.add(wakeup.descriptor, interest: .readable, tag: Self.wakeupTag)
        } catch {
            wakeup.close()
            epoll.close()
            throw error
        }
        self.epoll = epoll
        self.wakeup = wakeup
        self.readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 16)
        headBuffer.reserveCapacity(512)
    }

    deinit {
        readBuffer.deallocate()
        wakeup.close()
    }

    /// Adds a bound, listening socket (before the thread starts).
    func addListener(_ socket: Socket) throws(SystemError) {
        listeners.append(socket)
        try epoll.add(
            socket.descriptor,
            interest: [.readable, .exclusive],
            tag: Self.listenerTagBase - UInt64(listeners.count - 1)
        )
    }

    /// Releases everything when the server failed to start (the thread never ran).
    func closeUnstarted() {
        closeListeners()
        mailbox.withLock { $0.isOpen = false }
        epoll.close()
    }

    // MARK: Cross-thread entry points

    /// Hands a response to the connection that asked for it; callable from any thread.
    func deliver(_ response: HTTPResponse, to id: ConnectionID, sequence: UInt64) {
        if OSThread.currentID.rawValue == loopThread.load(ordering: .acquiring) {
            localResponses.append((id, sequence, response))
            return
        }
        post(.response(id, sequence: sequence, response))
    }

    /// Queues a message and wakes the loop.
    ///
    /// The eventfd is written after the lock is released: written under it, the woken loop (often on the same
    /// core, and preferred by the scheduler on wake-up) would find the lock still held by the descheduled
    /// poster and spin, then sleep, costing two more context switches per batch of responses. The eventfd is
    /// closed only in `deinit`, so a poster (which holds a reference) never writes to a closed descriptor.
    func post(_ message: Message) {
        let isFirst = mailbox.withLock { box in
            guard box.isOpen else { return false }
            box.messages.append(message)
            return box.messages.count == 1
        }
        if isFirst { wakeup.signal() }
    }

    // MARK: The loop

    /// Runs until shut down; called on the loop's own thread.
    func run() {
        loopThread.store(OSThread.currentID.rawValue, ordering: .releasing)
        var nextTimerCheck = monotonicNanoseconds() &+ Self.timerInterval
        while true {
            do {
                try epoll.wait(timeoutMilliseconds: 250) { event in
                    handle(event)
                }
            } catch {
                // epoll_wait fails only for programmer errors (EBADF, EINVAL): stop this loop cleanly.
                break
            }
            now = monotonicNanoseconds()
            runLocalResponses()
            if now >= nextTimerCheck {
                checkTimers()
                nextTimerCheck = now &+ Self.timerInterval
            }
            if let shutdownDeadline {
                if connectionCount == 0 { break }
                if now >= shutdownDeadline { break }
            }
        }
        exitLoop()
    }

    /// Closes this loop's listener descriptors. They are removed from epoll first: another loop's duplicate
    /// keeps the socket open, and epoll drops a registration only when the socket itself closes.
    private func closeListeners() {
        for listener in listeners {
            if !isAcceptPaused { epoll.remove(listener.descriptor) }
            listener.close()
        }
        listeners = []
    }

    private func exitLoop() {
        closeListeners()
        for case let connection? in connections {
            close(connection)
        }
        connections = []
        localResponses = []
        mailbox.withLock { box in
            box.isOpen = false
            box.messages = []
        }
        epoll.close()
        latch.countDown()
    }

    private func handle(_ event: Epoll.Event) {
        // Deadlines start from the time the bytes were seen, not the time epoll_wait was entered.
        now = monotonicNanoseconds()
        switch event.tag {
        case Self.wakeupTag:
            wakeup.drain()
            let messages = mailbox.withLock { box in
                defer { box.messages = [] }
                return box.messages
            }
            for message in messages {
                switch message {
                case .response(let id, let sequence, let response):
                    deliverNow(response, to: id, sequence: sequence)
                case .shutdown(let deadline):
                    beginShutdown(deadline: deadline)
                }
                runLocalResponses()
            }
        case (Self.listenerTagBase - UInt64(max(listeners.count, 1) - 1))...Self.listenerTagBase:
            let listenerIndex = Int(Self.listenerTagBase - event.tag)
            guard listenerIndex < listeners.count else { return }
            acceptConnections(from: listeners[listenerIndex])
        default:
            guard let connection = lookUp(ConnectionID(tag: event.tag)) else { return }
            if event.isHangUpOrError {
                close(connection)
                return
            }
            if event.isReadable { connection.mightBeReadable = true }
            if event.isWritable && connection.hasPendingOutput {
                flush(connection)
            }
            drive(connection)
        }
        runLocalResponses()
    }

    private func lookUp(_ id: ConnectionID) -> HTTPConnection? {
        let fd = Int(id.descriptor)
        guard fd >= 0, fd < connections.count, let connection = connections[fd], connection.id == id else {
            return nil
        }
        return connection
    }

    // MARK: Accepting

    private func acceptConnections(from listener: Socket) {
        for _ in 0..<64 {
            let accepted: (socket: Socket, peer: String)?
            do {
                accepted = try listener.accept()
            } catch {
                switch error.errno {
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors or memory: stop accepting for a timer tick rather than spin on a
                    // listener that stays readable.
                    onRefusedConnection?(.outOfResources(errno: error.errno))
                    pauseAccepting()
                default:
                    // ECONNABORTED and the like concern one connection only.
                    continue
                }
                return
            }
            guard let (socket, peer) = accepted else { return }
            if counters.openConnections.wrappingAdd(1, ordering: .relaxed).newValue > maxConnections {
                // Beyond the limit: accept and close at once, so the client learns now rather than timing out.
                // The observer is told first, so that whoever sees the close can already see the refusal.
                counters.openConnections.wrappingSubtract(1, ordering: .relaxed)
                onRefusedConnection?(.overLimit)
                socket.close()
                continue
            }
            register(socket, peer: peer)
        }
    }

    private func register(_ socket: Socket, peer: String) {
        generation = generation >= 0xFFFF_FF00 ? 1 : generation + 1
        let id = ConnectionID(descriptor: socket.descriptor, generation: generation)
        do {
            try? socket.setNoDelay()
            try epoll.add(
                socket.descriptor,
                interest: [.readable, .writable, .peerHalfClosed, .edgeTriggered],
                tag: id.tag
            )
        } catch {
            counters.openConnections.wrappingSubtract(1, ordering: .relaxed)
            socket.close()
            return
        }
        let connection = HTTPConnection(
            socket: socket,
            id: id,
            remoteAddress: peer,
            machine: HTTPConnectionStateMachine(limits: limits, timeouts: timeouts, now: now)
        )
        let fd = Int(socket.descriptor)
        if fd >= connections.count {
            connections.append(contentsOf: repeatElement(nil, count: fd + 1 - connections.count))
        }
        connections[fd] = connection
        connectionCount += 1
        // Edge-triggered: data that arrived before registration raises no event, so read at once.
        drive(connection)
    }

    private func pauseAccepting() {
        guard !isAcceptPaused else { return }
        isAcceptPaused = true
        for listener in listeners { epoll.remove(listener.descriptor) }
    }

    private func resumeAccepting() {
        guard isAcceptPaused, shutdownDeadline == nil else { return }
        isAcceptPaused = false
        for (offset, listener) in listeners.enumerated() {
            try? epoll.add(
                listener.descriptor,
                interest: [.readable, .exclusive],
                tag: Self.listenerTagBase - UInt64(offset)
            )
        }
    }

    // MARK: Driving a connection

    /// Parses what is buffered, reads what is available, and carries out the machine's actions until the
    /// connection must wait (for input, for a response, or for the socket to take more output).
    private func drive(_ connection: HTTPConnection) {
        while connection.socket.isOpen {
            if connection.machine.isLingering {
                discardInput(connection)
                return
            }
            guard connection.machine.canParse else { return }
            if connection.hasBufferedInput || connection.parserMayHaveEvent {
                // Parse from a local reference: an action may replace `connection.input` meanwhile (linger,
                // close), which must not overlap an access to the property itself.
                let input = connection.input
                let start = connection.inputStart
                let (consumed, needsInput) = input.withUnsafeBytes { bytes in
                    parse(connection, UnsafeRawBufferPointer(rebasing: bytes[start...]))
                }
                connection.consumeInput(consumed)
                // Stopped before needing input: waiting for a response or a write (checked at the top).
                guard needsInput else { continue }
            }
            guard connection.socket.isOpen, connection.machine.canParse, connection.mightBeReadable else { return }
            let result: Socket.ReadResult
            do {
                result = try connection.socket.read(into: readBuffer)
            } catch {
                close(connection)
                return
            }
            switch result {
            case .wouldBlock:
                connection.mightBeReadable = false
                return
            case .endOfFile:
                connection.mightBeReadable = false
                perform(connection.machine.peerClosed(now: now), on: connection)
            case .bytes(let count):
                // A short read empties the socket buffer; new data raises a new edge.
                if count < readBuffer.count { connection.mightBeReadable = false }
                let bytes = UnsafeRawBufferPointer(rebasing: readBuffer[0..<count])
                if connection.hasBufferedInput {
                    // A partial head (or bytes behind a response in progress) waits in the buffer: append.
                    connection.buffer(bytes)
                    continue
                }
                // The common case: parse straight from the loop's read buffer, keep only the unparsed rest.
                let (consumed, _) = parse(connection, bytes)
                if connection.socket.isOpen && consumed < count {
                    connection.buffer(UnsafeRawBufferPointer(rebasing: bytes[consumed...]))
                }
            }
        }
    }

    /// Feeds `bytes` to the machine while it accepts input.
    ///
    /// - Returns: how many bytes were consumed, and whether it stopped because the parser needs more input
    ///   (rather than because the connection waits for a response or a write, or closed).
    private func parse(
        _ connection: HTTPConnection,
        _ bytes: UnsafeRawBufferPointer
    ) -> (consumed: Int, needsInput: Bool) {
        var offset = 0
        while connection.socket.isOpen && connection.machine.canParse {
            let remaining = UnsafeRawBufferPointer(rebasing: bytes[offset...])
            if remaining.isEmpty && !connection.parserMayHaveEvent { return (offset, true) }
            let (consumed, needsMore, action) = connection.machine.parse(remaining, now: now)
            offset += consumed
            connection.parserMayHaveEvent = !needsMore
            perform(action, on: connection)
            if needsMore { return (offset, true) }
        }
        return (offset, false)
    }

    private func perform(_ action: HTTPConnectionStateMachine.Action, on connection: HTTPConnection) {
        switch action {
        case .none:
            return
        case .preflight(let head):
            connection.context = HTTPRequestContext(remoteAddress: connection.remoteAddress)
            let refusal = responder.preflight(head, context: &connection.context)
            perform(connection.machine.preflightAnswered(refusal, now: now), on: connection)
        case .sendContinue:
            write(HTTPResponseEncoder.continueBytes, [], on: connection)
        case .respond(let head, let body, let sequence):
            let number = counters.requests.wrappingAdd(1, ordering: .relaxed).newValue
            let request = HTTPRequest(
                head: head,
                body: body,
                context: connection.context,
                requestID: String(number, radix: 16)
            )
            // Kept only while this request is in the making: nothing of it outlives the request.
            connection.context = HTTPRequestContext(remoteAddress: connection.remoteAddress)
            let id = connection.id
            responder.respond(
                to: request,
                writer: HTTPResponseWriter { [self] response in
                    deliver(response, to: id, sequence: sequence)
                }
            )
        case .write(let response, let options):
            headBuffer.removeAll(keepingCapacity: true)
            // time() is read from the vDSO: no system call per response.
            HTTPResponseEncoder.encodeHead(
                response,
                options: options,
                date: date.value(at: time(nil)),
                into: &headBuffer
            )
            let hasBody = !options.omitBody && HTTPResponseEncoder.hasBody(status: response.status)
            write(headBuffer, hasBody ? response.body : [], on: connection)
        case .linger:
            connection.socket.shutdownWrite()
            connection.input = []
            connection.inputStart = 0
        case .close:
            close(connection)
        }
    }

    /// A response from the mailbox or the local queue.
    private func deliverNow(_ response: HTTPResponse, to id: ConnectionID, sequence: UInt64) {
        // The connection may have died meanwhile: the response is dropped quietly.
        guard let connection = lookUp(id) else { return }
        perform(connection.machine.responseReady(response, sequence: sequence, now: now), on: connection)
        drive(connection)
    }

    /// Delivers the responses written synchronously on this thread. Delivering one may parse the next
    /// pipelined request and queue its response too: the loop runs until the queue is empty, then keeps the
    /// queue's storage for the next request (no allocation per request).
    private func runLocalResponses() {
        guard !localResponses.isEmpty else { return }
        var index = 0
        while index < localResponses.count {
            let (id, sequence, response) = localResponses[index]
            index += 1
            deliverNow(response, to: id, sequence: sequence)
        }
        localResponses.removeAll(keepingCapacity: true)
    }

    // MARK: Writing

    /// Writes `head` and `body` with one `sendmsg`; keeps what the socket did not take for `EPOLLOUT`.
    private func write(_ head: [UInt8], _ body: [UInt8], on connection: HTTPConnection) {
        if connection.hasPendingOutput {
            connection.output.append(contentsOf: head)
            connection.output.append(contentsOf: body)
            return
        }
        let total = head.count + body.count
        let written: Int?
        do {
            written = try head.withUnsafeBytes { headBytes in
                try body.withUnsafeBytes { bodyBytes in
                    var vectors = (
                        iovec(
                            iov_base: UnsafeMutableRawPointer(mutating: headBytes.baseAddress),
                            iov_len: headBytes.count
                        ),
                        iovec(
                            iov_base: UnsafeMutableRawPointer(mutating: bodyBytes.baseAddress),
                            iov_len: bodyBytes.count
                        )
                    )
                    return try withUnsafeMutableBytes(of: &vectors) { raw in
                        let buffers = raw.bindMemory(to: iovec.self)
                        return try connection.socket.write(
                            UnsafeMutableBufferPointer(rebasing: buffers[0..<(body.isEmpty ? 1 : 2)])
                        )
                    }
                }
            }
        } catch {
            close(connection)
            return
        }
        let count = written ?? 0
        if count == total {
            perform(connection.machine.writeCompleted(now: now), on: connection)
            return
        }
        // Partial write: keep the rest until the socket is writable again (edge-triggered EPOLLOUT).
        if count < head.count {
            connection.output = Array(head[count...])
            connection.output.append(contentsOf: body)
        } else {
            connection.output = Array(body[(count - head.count)...])
        }
        connection.outputStart = 0
    }

    private func flush(_ connection: HTTPConnection) {
        while connection.hasPendingOutput {
            let written: Int?
            do {
                written = try connection.output.withUnsafeMutableBytes { bytes in
                    var vector = iovec(
                        iov_base: bytes.baseAddress! + connection.outputStart,
                        iov_len: bytes.count - connection.outputStart
                    )
                    return try withUnsafeMutablePointer(to: &vector) { pointer in
                        try connection.socket.write(UnsafeMutableBufferPointer(start: pointer, count: 1))
                    }
                }
            } catch {
                close(connection)
                return
            }
            guard let written else { return }
            connection.outputStart += written
        }
        connection.output = []
        connection.outputStart = 0
        perform(connection.machine.writeCompleted(now: now), on: connection)
    }

    /// Lingering close: reads and drops input until end-of-file (then closes) or the socket is empty.
    private func discardInput(_ connection: HTTPConnection) {
        while connection.socket.isOpen {
            do {
                switch try connection.socket.read(into: readBuffer) {
                case .bytes:
                    continue
                case .wouldBlock:
                    connection.mightBeReadable = false
                    return
                case .endOfFile:
                    close(connection)
                }
            } catch {
                close(connection)
            }
        }
    }

    private func close(_ connection: HTTPConnection) {
        guard connection.socket.isOpen else { return }
        let fd = Int(connection.socket.descriptor)
        connection.machine.closed()
        connection.socket.close()
        connection.input = []
        connection.output = []
        if fd < connections.count, connections[fd] === connection { connections[fd] = nil }
        connectionCount -= 1
        counters.openConnections.wrappingSubtract(1, ordering: .relaxed)
    }

    // MARK: Timers and shutdown

    private func checkTimers() {
        resumeAccepting()
        for case let connection? in connections {
            guard let deadline = connection.machine.deadline, now >= deadline else { continue }
            perform(connection.machine.timedOut(now: now), on: connection)
            drive(connection)
        }
        runLocalResponses()
    }

    private func beginShutdown(deadline: UInt64) {
        guard shutdownDeadline == nil else { return }
        shutdownDeadline = deadline
        // Stop accepting: once every loop has closed its descriptor, the socket closes and the kernel refuses
        // new connections.
        closeListeners()
        for case let connection? in connections {
            // A request may have arrived on an idle connection without its event handled yet: read first, so
            // that such a request counts as in flight instead of being cut off.
            connection.mightBeReadable = true
            drive(connection)
            perform(connection.machine.beginShutdown(now: now), on: connection)
        }
    }
}
