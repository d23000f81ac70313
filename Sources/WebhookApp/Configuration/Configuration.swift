public import WebhookHTTP

/// The whole configuration of the daemon (docs/reference.md §3), parsed, validated and with its secrets resolved.
///
/// Build one from a file with ``load(path:environment:currentDirectory:)`` (docs/reference.md §2 loading order), from JSON
/// with ``parse(json:environment:currentDirectory:)``, or in code with ``init(server:trustedProxies:store:routes:handlers:retry:logLevel:)``.
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

    /// Where the listener binds and what it allows (`listen` and `limits`): request size, time and
    /// connection limits.
    public var server: HTTPServerConfiguration
    /// Peers whose `X-Forwarded-For` is believed (for `allowFrom`); empty means believe nobody.
    public var trustedProxies: [CIDR]
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
    ///   - server: bind address and port, and request limits, default ``HTTPServerConfiguration``'s
    ///     (`127.0.0.1:8080`, 1 MiB bodies, 16 KiB heads, 10/30/75 s timeouts, 1024 connections).
    ///   - trustedProxies: proxies whose `X-Forwarded-For` is believed, default none.
    ///   - store: the event store, default sqlite at `data/kyc-webhooks.sqlite3`.
    ///   - routes: webhook endpoints, default none.
    ///   - handlers: event handlers, default none.
    ///   - retry: retry policy, default ``RetryPolicy/init(maxAttempts:initialDelay:maxDelay:)``'s (8 attempts from 1 s up to 1 h apart).
    ///   - logLevel: minimum log level, default unset.
    public init(
        server: HTTPServerConfiguration = HTTPServerConfiguration(),
        trustedProxies: [CIDR] = [],
        store: Store = Store(),
        routes: [Route] = [],
        handlers: [Handler] = [],
        retry: RetryPolicy = RetryPolicy(),
        logLevel: Logger.Level? = nil
    ) {
        self.server = server
        self.trustedProxies = trustedProxies
        self.store = store
        self.routes = routes
        self.handlers = handlers
        self.retry = retry
        self.logLevel = logLevel
    }
}
