import Foundation
import SystemSupport
public import WebhookCore
import WebhookCrypto
import WebhookHTTP
public import WebhookStore

/// The daemon: the listener, the receive pipeline, the inbox and the dispatcher, built from a configuration.
///
/// ```swift
/// let app = try Application(configuration: configuration, logger: .standardError(label: "kyc-webhooks"))
/// try app.start()
/// print(app.port)
/// try await app.run()        // until shutdown() (serve calls it on SIGTERM/SIGINT)
/// ```
///
/// Start order: store, dispatcher, listener. Stop order is the reverse (CONTRIBUTING.md rule 27): stop accepting and
/// finish in-flight requests, then give running deliveries their grace period, then close the store last.
public final class Application: Sendable {
    /// A Swift handler of a library user's, registered beside the configured ones.
    public struct CustomHandler: Sendable {
        public var name: String
        public var match: HandlerMatch
        public var handler: any WebhookHandler
        public var maxConcurrency: Int

        public init(
            name: String,
            match: HandlerMatch = HandlerMatch(),
            handler: any WebhookHandler,
            maxConcurrency: Int = Dispatcher.Registration.defaultMaxConcurrency
        ) {
            self.name = name
            self.match = match
            self.handler = handler
            self.maxConcurrency = maxConcurrency
        }
    }

    public let configuration: Configuration
    public let inbox: any Inbox
    public let metrics: WebhookMetrics
    let server: HTTPServer
    let dispatcher: Dispatcher
    let logger: Logger
    let drainSeconds: Double
    private let stopSignal = StopSignal()

    /// Builds every component; nothing listens or runs until ``start()``.
    ///
    /// - Parameters:
    ///   - configuration: a loaded, valid configuration.
    ///   - logger: where lifecycle and per-request records go.
    ///   - customHandlers: library users' handlers, delivered like the configured ones.
    ///   - inbox: an inbox to use instead of the configured store (tests).
    ///   - drainSeconds: how long in-flight requests and running deliveries get at shutdown.
    /// - Throws: a ``StartupError`` naming what to fix (the store cannot be opened, say).
    public init(
        configuration: Configuration,
        logger: Logger,
        customHandlers: [CustomHandler] = [],
        inbox: (any Inbox)? = nil,
        drainSeconds: Double = 10
    ) throws {
        self.configuration = configuration
        self.logger = logger
        self.drainSeconds = drainSeconds
        var handlerNames = configuration.handlers.map(\.name)
        handlerNames += customHandlers.map(\.name)
        let metrics = WebhookMetrics(
            version: CommandLineTool.version,
            routes: configuration.routes.map(\.path),
            handlers: handlerNames
        )
        self.metrics = metrics
        let healthReporter = StoreHealthReporter(logger: logger, metrics: metrics)
        let inbox =
            try inbox
            ?? Self.openInbox(
                configuration.store,
                // The same across restarts (so a restart takes back what it ran), unique among the receivers;
                // with an ephemeral port (0), the store's default, unique to this process.
                receiverName: configuration.server.port == 0
                    ? nil : "\(HostName.current ?? "localhost"):\(configuration.server.port)",
                logger: logger,
                observeHealth: healthReporter.observe
            )
        self.inbox = inbox

        var registrations: [Dispatcher.Registration] = []
        var matchers: [(name: String, match: HandlerMatch)] = []
        let secretVariables = Self.secretVariables(of: configuration)
        for handler in configuration.handlers {
            var kind = handler.kind
            if case .exec(var exec) = kind {
                exec.withheldEnvironment.formUnion(secretVariables)
                kind = .exec(exec)
            }
            registrations.append(
                Dispatcher.Registration(name: handler.name, handler: kind.handler, maxConcurrency: handler.concurrency)
            )
            matchers.append((handler.name, handler.match ?? HandlerMatch()))
        }
        for custom in customHandlers {
            registrations.append(
                Dispatcher.Registration(
                    name: custom.name,
                    handler: custom.handler,
                    maxConcurrency: custom.maxConcurrency
                )
            )
            matchers.append((custom.name, custom.match))
        }

        let dispatcher = Dispatcher(
            inbox: inbox,
            handlers: registrations,
            retry: configuration.retry,
            logger: logger,
            onResult: { handler, result in
                metrics.recordDelivery(handler: handler, result: WebhookMetrics.DeliveryResult(result))
            }
        )
        self.dispatcher = dispatcher
        // Deliveries another receiver or a command queued (postgres: NOTIFY) are claimed at once, not at the
        // next poll.
        inbox.observeQueuedDeliveries { dispatcher.wake() }
        let observer = MetricsReceiveObserver(metrics: metrics)

        var router = Router()
        router.add("/healthz", methods: ["GET", "HEAD"], responder: HealthResponder())
        router.add("/readyz", methods: ["GET", "HEAD"], responder: ReadinessResponder(inbox: inbox))
        router.add("/metrics", methods: ["GET"], responder: MetricsResponder(render: { metrics.render() }))
        let trusted = configuration.trustedProxies
        let isTrustedProxy: @Sendable (String) -> Bool = { address in trusted.contains { $0.contains(address: address) }
        }
        for route in configuration.routes {
            if case .gu1(let gu1) = route.sender, !gu1.requireSignature {
                logger.warning(
                    "route accepts unsigned Gu1 requests (requireSignature false)",
                    metadata: ["http.route": route.path]
                )
            }
            let receiver = WebhookReceiver(
                route: route,
                isTrustedProxy: isTrustedProxy,
                inbox: inbox,
                handlers: matchers,
                observer: observer,
                wakeDispatcher: { dispatcher.wake() },
                logger: logger,
                now: { Date() }
            )
            let isArgos: Bool
            if case .argos = route.sender { isArgos = true } else { isArgos = false }
            router.add(route.path, methods: ["POST"], matchingOneMoreSegment: isArgos, responder: receiver)
        }

        let refusals = RefusedConnectionReporter(
            metrics: metrics,
            logger: logger,
            maxConnections: configuration.server.maxConnections
        )
        var serverConfiguration = configuration.server
        serverConfiguration.onRefusedConnection = { refusals.refused($0) }
        let server = HTTPServer(
            configuration: serverConfiguration,
            responder: RequestCounter(inner: router.buildResponder(), metrics: metrics)
        )
        metrics.connectionsOpen.setProvider { Double(server.openConnections) }
        if inbox.connectionPool != nil {
            metrics.storePoolConnections.setProvider { Double(inbox.connectionPool?.connections ?? 0) }
            metrics.storePoolWaiting.setProvider { Double(inbox.connectionPool?.waiting ?? 0) }
        }
        self.server = server
    }

    // MARK: Lifecycle

    /// Binds the listener. Returns once the port accepts connections.
    public func start() throws {
        do {
            try server.start()
        } catch {
            throw StartupError(
                "cannot listen on \(configuration.server.host):\(configuration.server.port): \(error); "
                    + "choose another listen.port or stop the process that holds it"
            )
        }
        logger.info(
            "listening",
            metadata: ["http.host": configuration.server.host, "http.port": "\(server.port)"]
        )
    }

    /// The bound port (after ``start()``).
    public var port: Int { server.port }

    /// Runs the dispatcher and the housekeeping until ``shutdown()``, then drains: the listener first, the
    /// deliveries next, the store last.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [dispatcher] in try await dispatcher.run() }
            group.addTask { [self] in await housekeeping() }
            await stopSignal.wait()
            logger.info("draining", metadata: ["drain.seconds": "\(drainSeconds)"])
            server.shutdown(deadlineSeconds: drainSeconds)
            await server.waitUntilStopped()
            dispatcher.shutdown(gracePeriod: .milliseconds(roundingSeconds: drainSeconds))
            group.cancelAll()
            try await group.waitForAll()
        }
        inbox.close()
        logger.info("stopped")
    }

    /// Starts the drain; ``run()`` returns when it is over. Safe to call from any thread, more than once.
    public func shutdown() {
        stopSignal.open()
    }

    /// Queue depth for `/metrics` every few seconds, and retention pruning every hour.
    private func housekeeping() async {
        var lastPrune = Date.distantPast
        while !Task.isCancelled {
            if let depth = try? await inbox.queueDepth(now: Date()) {
                metrics.setQueueDepth(depth)
            }
            if Date().timeIntervalSince(lastPrune) > 3600 {
                lastPrune = Date()
                do {
                    let changed = try await inbox.prune(
                        now: Date(),
                        payloadRetentionDays: configuration.store.payloadRetentionDays,
                        keyRetentionDays: configuration.store.keyRetentionDays
                    )
                    if changed > 0 {
                        logger.info("pruned old payloads and keys", metadata: ["store.rows": "\(changed)"])
                    }
                } catch {
                    logger.warning("pruning failed; will try again", metadata: ["error": "\(error)"])
                }
            }
            try? await Task.sleep(for: .seconds(5))
        }
    }

    // MARK: Building the parts

    /// Opens the configured store.
    /// - Parameter receiverName: this daemon's name among the receivers of a postgres store: the same across
    ///   its restarts, unique among them (`host:port`); nil for the store's default (`host:pid:random`).
    static func openInbox(
        _ store: Configuration.Store,
        receiverName: String?,
        logger: Logger,
        observeHealth: @escaping @Sendable (StoreHealthEvent) -> Void
    ) throws -> any Inbox {
        switch store.kind {
        case .sqlite:
            do {
                return try SQLiteInbox(
                    path: store.path,
                    options: .init(groupCommit: store.groupCommit, preloadKeys: true),
                    observeHealth: observeHealth
                )
            } catch let error as InboxError where error.code == .untrustedStore {
                throw StartupError(error.detail)
            } catch {
                throw StartupError("cannot open the sqlite store at \(store.path): \(error)")
            }
        case .memory:
            logger.notice("store.kind is memory: nothing survives a restart")
            return MemoryInbox()
        case .postgres:
            guard let url = store.url else { throw StartupError("store.url is required for the postgres store") }
            do {
                return try PostgresInbox(
                    options: .init(
                        connectionString: url.utf8,
                        schema: store.schema,
                        poolSize: store.poolSize,
                        lease: .seconds(store.leaseSeconds),
                        receiverName: receiverName
                    ),
                    observeHealth: observeHealth
                )
            } catch let error as InboxError {
                throw StartupError(error.detail)
            } catch {
                // libpq's messages name the host and port, never the password.
                throw StartupError("cannot open the postgres store (schema \(store.schema)): \(error)")
            }
        }
    }

    /// The environment variables the configuration's secrets come from (`{"env": NAME}`).
    static func secretVariables(of configuration: Configuration) -> Set<String> {
        var secrets: [Secret] = []
        for route in configuration.routes {
            switch route.sender {
            case .gu1(let gu1): secrets += gu1.secrets
            case .argos(let argos): secrets += [argos.token, argos.decryption?.apiKey].compactMap { $0 }
            }
        }
        for handler in configuration.handlers { secrets += handler.secrets }
        if let url = configuration.store.url { secrets.append(url) }
        return Set(secrets.compactMap { $0.origin.hasPrefix("env ") ? String($0.origin.dropFirst(4)) : nil })
    }
}

/// A problem that stops the daemon from starting, as one sentence that names the thing to fix.
public struct StartupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension WebhookMetrics.DeliveryResult {
    init(_ result: DeliveryResult) {
        switch result {
        case .succeeded: self = .succeeded
        case .failed: self = .failed
        case .dead: self = .dead
        }
    }
}
