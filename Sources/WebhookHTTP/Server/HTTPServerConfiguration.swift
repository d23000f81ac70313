import SystemSupport

/// How the listener binds and what it allows (docs/reference.md §3 `listen` and `limits`). Secure defaults.
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind: an IPv4 or IPv6 literal, or `localhost`.
    public var host: String
    /// Port to bind; 0 picks a free one (read it back from ``HTTPServer/port``).
    public var port: Int
    public var parserLimits: HTTPParserLimits
    /// Deadline for a whole request head, from its first byte; a trickle does not extend it (408). Also how
    /// long a new connection may wait before its first byte (then closed silently).
    public var headerTimeoutSeconds: Double
    /// Deadline for a whole body, from the end of the head (408).
    public var bodyTimeoutSeconds: Double
    /// How long a kept-alive connection may sit idle between requests (longer than nginx's 60 s).
    public var idleTimeoutSeconds: Double
    /// Open connections at most, across all event loops; beyond it a new connection is accepted and closed
    /// at once (the client sees the connection close rather than waiting in the kernel's queue).
    public var maxConnections: Int
    /// Event-loop threads; default one per core.
    public var eventLoopCount: Int
    /// Told of each connection the listener could not take (on an event-loop thread: keep it short and
    /// non-blocking). The server itself does not log.
    public var onRefusedConnection: (@Sendable (RefusedConnection) -> Void)?

    /// - Parameters:
    ///   - host: bind address, default `127.0.0.1`.
    ///   - port: bind port, default 8080.
    ///   - parserLimits: header, target, field and body limits.
    ///   - headerTimeoutSeconds: whole-head deadline, default 10.
    ///   - bodyTimeoutSeconds: whole-body deadline, default 30.
    ///   - idleTimeoutSeconds: keep-alive idle timeout, default 75.
    ///   - maxConnections: default 1024.
    ///   - eventLoopCount: default: the number of cores.
    ///   - onRefusedConnection: told of connections the listener could not take.
    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        parserLimits: HTTPParserLimits = HTTPParserLimits(),
        headerTimeoutSeconds: Double = 10,
        bodyTimeoutSeconds: Double = 30,
        idleTimeoutSeconds: Double = 75,
        maxConnections: Int = 1024,
        eventLoopCount: Int? = nil,
        onRefusedConnection: (@Sendable (RefusedConnection) -> Void)? = nil
    ) {
        self.host = host
        self.port = port
        self.parserLimits = parserLimits
        self.headerTimeoutSeconds = headerTimeoutSeconds
        self.bodyTimeoutSeconds = bodyTimeoutSeconds
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.maxConnections = maxConnections
        self.eventLoopCount = eventLoopCount ?? HTTPServerConfiguration.coreCount
        self.onRefusedConnection = onRefusedConnection
    }

    /// The CPUs this process may run on: its affinity mask (so `taskset -c 0` means one event loop), else the
    /// CPUs online.
    static var coreCount: Int {
        availableCPUCount()
    }
}

/// A connection the listener could not take.
public enum RefusedConnection: Sendable, Equatable {
    /// ``HTTPServerConfiguration/maxConnections`` were open: it was accepted and closed at once.
    case overLimit
    /// `accept` failed for want of descriptors or memory (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`): the loop
    /// stops accepting for a timer tick (250 ms), leaving connections in the kernel's queue, then tries again.
    case outOfResources(errno: Int32)
}
