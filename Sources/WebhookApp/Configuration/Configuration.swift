/// The whole configuration of the daemon (SPEC §3), parsed, validated and with its secrets resolved.
///
/// Build one from a file with ``load(path:environment:currentDirectory:)`` (SPEC §2 loading order), from JSON
/// with ``parse(json:environment:currentDirectory:)``, or in code with ``init(listen:trustedProxies:limits:store:routes:handlers:retry:logLevel:)``.
/// Every default is the secure one: bind `127.0.0.1`, bounded bodies, headers, timeouts and connections,
/// no trusted proxy. The struct never reads the environment itself (`Configuration+Environment.swift` does).
///
/// ```swift
/// let result = Configuration.load(path: nil, environment: ProcessInfo.processInfo.environment,
///                                 currentDirectory: FileManager.default.currentDirectoryPath)
/// guard let configuration = result.configuration else { /* print result.problems, exit 2 */ }
/// ```
public struct Configuration: Sendable {
    // MARK: Member variables

    /// Where the listener binds.
    public var listen: Listen
    /// Peers whose `X-Forwarded-For` is believed (for `allowFrom`); empty means believe nobody.
    public var trustedProxies: [CIDR]
    /// Request size, time and connection limits.
    public var limits: Limits
    /// Where events are recorded.
    public var store: Store
    /// The webhook endpoints, each with its sender and authentication (disabled routes already removed).
    public var routes: [Route]
    /// What runs for each event.
    public var handlers: [Handler]
    /// How failed deliveries are retried.
    public var retry: RetryPolicy
    /// The minimum level logged, when the configuration sets one (else the CLI's default).
    public var logLevel: Logger.Level?

    // MARK: Initialization

    /// - Parameters:
    ///   - listen: bind address and port, default `127.0.0.1:8080`.
    ///   - trustedProxies: proxies whose `X-Forwarded-For` is believed, default none.
    ///   - limits: request limits, default ``Limits`` (1 MiB bodies, 16 KiB heads, 10/30/75 s timeouts,
    ///     1024 connections).
    ///   - store: the event store, default sqlite at `data/kyc-webhooks.sqlite3`.
    ///   - routes: webhook endpoints, default none.
    ///   - handlers: event handlers, default none.
    ///   - retry: retry policy, default ``RetryPolicy/init(maxAttempts:initialDelay:maxDelay:)``'s (8 attempts from 1 s up to 1 h apart).
    ///   - logLevel: minimum log level, default unset.
    public init(
        listen: Listen = Listen(),
        trustedProxies: [CIDR] = [],
        limits: Limits = Limits(),
        store: Store = Store(),
        routes: [Route] = [],
        handlers: [Handler] = [],
        retry: RetryPolicy = RetryPolicy(),
        logLevel: Logger.Level? = nil
    ) {
        self.listen = listen
        self.trustedProxies = trustedProxies
        self.limits = limits
        self.store = store
        self.routes = routes
        self.handlers = handlers
        self.retry = retry
        self.logLevel = logLevel
    }
}

// MARK: - Listen

extension Configuration {
    /// Where the listener binds (`listen`).
    public struct Listen: Sendable, Equatable {
        /// An IPv4 or IPv6 literal, or `localhost`.
        public var host: String
        /// 0...65535; 0 picks a free port (tests).
        public var port: Int

        /// - Parameters:
        ///   - host: bind address, default `127.0.0.1` (put a reverse proxy in front; SPEC §1).
        ///   - port: bind port, default 8080.
        public init(host: String = "127.0.0.1", port: Int = 8080) {
            self.host = host
            self.port = port
        }
    }
}

// MARK: - Limits

extension Configuration {
    /// Request limits (`limits`); beyond them the listener answers 413, 414, 431 or 408 and closes.
    public struct Limits: Sendable, Equatable {
        /// Largest body, declared or de-chunked (413).
        public var maxBodyBytes: Int
        /// Largest request line plus header section (431).
        public var maxHeaderBytes: Int
        /// Longest request target (414).
        public var maxTargetBytes: Int
        /// Most header field lines (431).
        public var maxFieldCount: Int
        /// Deadline for a whole request head from its first byte (408).
        public var headerTimeoutSeconds: Double
        /// Deadline for a whole body from the end of the head (408).
        public var bodyTimeoutSeconds: Double
        /// How long a kept-alive connection may idle; longer than nginx's 60 s upstream keep-alive.
        public var idleTimeoutSeconds: Double
        /// Open connections at most; beyond it new connections are closed at once.
        public var maxConnections: Int

        /// - Parameters:
        ///   - maxBodyBytes: default 1 MiB (1048576).
        ///   - maxHeaderBytes: default 16 KiB (16384).
        ///   - maxTargetBytes: default 8 KiB (8192).
        ///   - maxFieldCount: default 100.
        ///   - headerTimeoutSeconds: default 10.
        ///   - bodyTimeoutSeconds: default 30.
        ///   - idleTimeoutSeconds: default 75.
        ///   - maxConnections: default 1024.
        public init(
            maxBodyBytes: Int = 1_048_576,
            maxHeaderBytes: Int = 16_384,
            maxTargetBytes: Int = 8_192,
            maxFieldCount: Int = 100,
            headerTimeoutSeconds: Double = 10,
            bodyTimeoutSeconds: Double = 30,
            idleTimeoutSeconds: Double = 75,
            maxConnections: Int = 1024
        ) {
            self.maxBodyBytes = maxBodyBytes
            self.maxHeaderBytes = maxHeaderBytes
            self.maxTargetBytes = maxTargetBytes
            self.maxFieldCount = maxFieldCount
            self.headerTimeoutSeconds = headerTimeoutSeconds
            self.bodyTimeoutSeconds = bodyTimeoutSeconds
            self.idleTimeoutSeconds = idleTimeoutSeconds
            self.maxConnections = maxConnections
        }
    }
}
