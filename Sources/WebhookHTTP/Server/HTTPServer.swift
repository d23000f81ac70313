import Glibc
import Synchronization
import SystemSupport

/// The HTTP/1.1 listener: non-blocking sockets, one epoll loop per thread, the parser, limits and timeouts.
///
/// Each of ``HTTPServerConfiguration/eventLoopCount`` threads runs an event loop with its own epoll set, its
/// own descriptor of the listening socket (registered `EPOLLEXCLUSIVE`: a new connection wakes one loop) and
/// the connections it accepted. Requests reach the ``HTTPResponder`` on the loop thread; a response may be
/// written from any thread, later.
///
/// ```swift
/// let server = HTTPServer(configuration: HTTPServerConfiguration(port: 0), responder: router)
/// try server.start()
/// print(server.port)
/// // …
/// server.shutdown()   // stop accepting, finish in-flight requests
/// server.wait()       // or, from async code: await server.waitUntilStopped()
/// ```
///
/// No logging and no signal handling here: the application owns both (SIGPIPE cannot hurt, every send
/// uses `MSG_NOSIGNAL`).
public final class HTTPServer: Sendable {
    private enum Lifecycle {
        case initial
        case running(loops: [EventLoop], port: Int)
        case shuttingDown(port: Int)
        case stopped(port: Int)
    }

    public let configuration: HTTPServerConfiguration
    public let responder: any HTTPResponder
    private let lifecycle = Mutex<Lifecycle>(.initial)
    private let latch: Latch
    private let counters = ServerCounters()

    public init(configuration: HTTPServerConfiguration, responder: any HTTPResponder) {
        self.configuration = configuration
        self.responder = responder
        self.latch = Latch(count: max(1, configuration.eventLoopCount))
    }

    /// Binds, listens and starts the event-loop threads. Returns once the port accepts connections.
    ///
    /// - Throws: ``HTTPServerError`` for a host that is not an IP literal or `localhost`, a second start, or
    ///   ``SystemError`` when binding fails (`bind(127.0.0.1:8080): Address already in use (errno: 98)`).
    public func start() throws {
        let loopCount = max(1, configuration.eventLoopCount)
        guard let addresses = SocketAddress.resolve(host: configuration.host, port: configuration.port) else {
            throw HTTPServerError.invalidHost(configuration.host)
        }
        try lifecycle.withLock { state in
            guard case .initial = state else { throw HTTPServerError.alreadyStarted }
            var listeners: [Socket] = []
            var loops: [EventLoop] = []
            var port = configuration.port
            do {
                for address in addresses {
                    do {
                        let socket = try Socket.listen(on: address.with(port: port), backlog: Int32(SOMAXCONN))
                        listeners.append(socket)
                        if port == 0 { port = try socket.localPort() }
                    } catch let error as SystemError
                        where addresses.count > 1 && address.family == AF_INET6
                        && [EADDRNOTAVAIL, EAFNOSUPPORT].contains(error.errno)
                    {
                        // `localhost` on a host without IPv6: serve 127.0.0.1 only.
                        continue
                    }
                }
                for index in 0..<loopCount {
                    let loop = try EventLoop(
                        index: index,
                        configuration: configuration,
                        responder: responder,
                        counters: counters,
                        latch: latch
                    )
                    loops.append(loop)
                    for listener in listeners {
                        let duplicate = try listener.duplicate()
                        do {
                            try loop.addListener(duplicate)
                        } catch {
                            duplicate.close()
                            throw error
                        }
                    }
                }
            } catch {
                for loop in loops { loop.closeUnstarted() }
                for listener in listeners { listener.close() }
                throw error
            }
            // Each loop holds its own descriptor now.
            for listener in listeners { listener.close() }
            for loop in loops {
                OSThread.start(name: "event-loop-\(loop.index)") { loop.run() }
            }
            state = .running(loops: loops, port: port)
        }
    }

    /// The event loops while running (tests check that they are released after shutdown).
    var runningEventLoops: [EventLoop] {
        lifecycle.withLock { state in
            if case .running(let loops, _) = state { return loops }
            return []
        }
    }

    /// Connections open now, across all event loops.
    public var openConnections: Int {
        counters.openConnections.load(ordering: .relaxed)
    }

    /// The bound port (useful with port 0), or 0 before ``start()``.
    public var port: Int {
        lifecycle.withLock { state in
            switch state {
            case .initial: return 0
            case .running(_, let port), .shuttingDown(let port), .stopped(let port): return port
            }
        }
    }

    /// Stops accepting, lets in-flight requests finish (within `deadlineSeconds`), then closes every connection.
    ///
    /// Returns at once; ``wait()`` blocks until the loops have stopped. Listeners close immediately, idle
    /// keep-alive connections close, requests in progress get their response (with `Connection: close`),
    /// and whatever is still open at the deadline is closed. Calling it again does nothing.
    public func shutdown(deadlineSeconds: Double = 10) {
        let deadline = monotonicNanoseconds() &+ HTTPConnectionStateMachine.Timeouts.nanoseconds(deadlineSeconds)
        let loops: [EventLoop] = lifecycle.withLock { state in
            switch state {
            case .initial:
                state = .stopped(port: 0)
                for _ in 0..<max(1, configuration.eventLoopCount) { latch.countDown() }
                return []
            case .running(let loops, let port):
                state = .shuttingDown(port: port)
                return loops
            case .shuttingDown, .stopped:
                return []
            }
        }
        for loop in loops { loop.post(.shutdown(deadline: deadline)) }
    }

    /// Blocks the calling thread until the server has shut down (at once if it never started and was shut down).
    public func wait() {
        latch.wait()
        markStopped()
    }

    /// Suspends until the server has shut down, without blocking a thread (for async callers).
    public func waitUntilStopped() async {
        await latch.waitAsync()
        markStopped()
    }

    private func markStopped() {
        lifecycle.withLock { state in
            if case .shuttingDown(let port) = state { state = .stopped(port: port) }
        }
    }
}

/// Why the server could not start.
public enum HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configured host is neither an IPv4/IPv6 literal nor `localhost`.
    case invalidHost(String)
    /// ``HTTPServer/start()`` was called twice.
    case alreadyStarted

    public var description: String {
        switch self {
        case .invalidHost(let host):
            return "listen host \"\(host)\" is not an IP address literal or localhost"
        case .alreadyStarted:
            return "the HTTP server was already started"
        }
    }
}
