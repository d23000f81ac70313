import Foundation
public import WebhookApp
public import WebhookStore

/// Starts the whole daemon in-process (``TestApplication``), runs `body` with it, then stops it and waits
/// for it, whether `body` returned, threw, or left a failed expectation behind: no test can leak its
/// listener, loops or dispatcher.
///
/// `body` runs on a thread of its own (``Blocking/onThread(isolation:_:)``), so it may also make blocking
/// calls (a ``LoopbackClient``) directly.
///
/// ```swift
/// try await withTestApplication(configuration: json, environment: ["SECRET": "s"]) { app in
///     let response = try await app.post("/webhooks/gu1", body: body, headers: [("X-Webhook-Signature", sig)])
///     #expect(response.status == 200)
/// }
/// ```
///
/// - Parameters: as ``TestApplication``'s.
/// - Returns: what `body` returns.
public func withTestApplication<T>(
    configuration: String,
    environment: [String: String] = [:],
    inbox: (any Inbox)? = nil,
    customHandlers: [Application.CustomHandler] = [],
    _ body: (TestApplication) async throws -> T
) async throws -> T {
    try await Blocking.onThread {
        let app = try await TestApplication(
            configuration: configuration,
            environment: environment,
            inbox: inbox,
            customHandlers: customHandlers
        )
        do {
            let result = try await body(app)
            await app.stop()
            return result
        } catch {
            await app.stop()
            throw error
        }
    }
}

/// The whole daemon in-process on `127.0.0.1:0`, built from a JSON configuration, for end-to-end tests of
/// the receive path through the real listener (Hummingbird's `testServer` idea); only
/// ``withTestApplication(configuration:environment:inbox:customHandlers:_:)`` starts one.
public final class TestApplication: Sendable {
    public let application: Application
    public let logs: InMemoryLogHandler
    private let task: Task<Void, any Error>

    /// - Parameters:
    ///   - configuration: a JSON configuration; its `listen.port` should be 0.
    ///   - environment: the environment its `{"env"}` secrets are read from.
    ///   - inbox: an inbox to use instead of the configured store.
    ///   - customHandlers: Swift handlers registered beside the configured ones.
    /// - Throws: ``DaemonError`` listing the configuration's problems, or the application's startup error.
    init(
        configuration: String,
        environment: [String: String] = [:],
        inbox: (any Inbox)? = nil,
        customHandlers: [Application.CustomHandler] = []
    ) async throws {
        let result = Configuration.parse(
            json: Array(configuration.utf8),
            environment: environment,
            currentDirectory: FileManager.default.currentDirectoryPath
        )
        guard let parsed = result.configuration, result.isValid else {
            throw DaemonError("test configuration invalid: \(result.problems.map(\.description))")
        }
        let logs = InMemoryLogHandler()
        self.logs = logs
        let application = try Application(
            configuration: parsed,
            logger: logs.logger(label: "kyc-webhooks", logLevel: .debug),
            customHandlers: customHandlers,
            inbox: inbox,
            drainSeconds: 2
        )
        try application.start()
        self.application = application
        task = Task { try await application.run() }
    }

    public var port: Int { application.port }

    /// Posts `body` on a new connection and reads the response (blocking I/O on a thread of its own).
    public func post(_ path: String, body: [UInt8], headers: [(String, String)] = []) async throws -> LoopbackResponse {
        let port = self.port
        return try await Blocking.run { try Self.post(port: port, path, body: body, headers: headers) }
    }

    static func post(port: Int, _ path: String, body: [UInt8], headers: [(String, String)]) throws -> LoopbackResponse {
        let client = try LoopbackClient(port: port, timeoutSeconds: 10)
        defer { client.close() }
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        try client.send(Array(head.utf8) + body)
        return try client.readResponse()
    }

    /// A GET on a new connection.
    public func get(_ path: String) async throws -> LoopbackResponse {
        let port = self.port
        return try await Blocking.run { try Self.get(port: port, path) }
    }

    static func get(port: Int, _ path: String) throws -> LoopbackResponse {
        let client = try LoopbackClient(port: port, timeoutSeconds: 10)
        defer { client.close() }
        try client.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        return try client.readResponse()
    }

    /// Drains and stops the application; returns once `run()` has returned. Calling it again does nothing
    /// more (the scope calls it at its end in any case).
    public func stop() async {
        application.shutdown()
        _ = try? await task.value
    }
}
