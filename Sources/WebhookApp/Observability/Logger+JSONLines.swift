extension Logger {
    /// A logger writing JSON lines to standard error through ``JSONLineLogHandler``: the daemon's logger,
    /// made once in `main` and handed to components.
    ///
    /// - Parameters:
    ///   - label: the component or program name (`kyc-webhooks`).
    ///   - logLevel: the lowest level written (`info` by default; `debug` adds per-request lines).
    public static func standardError(label: String, logLevel: Level = .info) -> Logger {
        Logger(label: label, logLevel: logLevel, handler: JSONLineLogHandler())
    }
}
