import SystemSupport

extension LoopbackClient {
    /// Connects, runs `body` with the client on a dedicated thread, closes, and returns `body`'s result.
    ///
    /// The client's reads block. In an async test, blocking calls hold a thread of the cooperative pool
    /// (two threads on a two-core machine); when several tests do so at once, work that needs the pool,
    /// like a responder that answers from a `Task` after awaiting the store, cannot run, and the reads time
    /// out. This runs the blocking exchange on its own thread and suspends the calling task meanwhile.
    ///
    /// ```swift
    /// let response = try await LoopbackClient.withClient(port: port) { client in
    ///     try client.send("GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
    ///     return try client.readResponse()
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - port: the server's port.
    ///   - host: `127.0.0.1` by default, or `::1`.
    ///   - timeoutSeconds: the limit for each read and write.
    ///   - body: the exchange; runs on the dedicated thread.
    /// - Returns: what `body` returns.
    /// - Throws: what connecting or `body` throws.
    public static func withClient<T: Sendable>(
        port: Int,
        host: String = "127.0.0.1",
        timeoutSeconds: Double = 5,
        _ body: @escaping @Sendable (LoopbackClient) throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            OSThread.start(name: "test-client") {
                do {
                    let client = try LoopbackClient(port: port, host: host, timeoutSeconds: timeoutSeconds)
                    defer { client.close() }
                    continuation.resume(returning: try body(client))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
