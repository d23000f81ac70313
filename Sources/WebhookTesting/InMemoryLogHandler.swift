import Synchronization
public import WebhookApp

/// A log handler that keeps every record in memory, so that tests can assert on what was logged and scan
/// it for things that must never be there (personal data, secrets).
///
/// ```swift
/// let logs = InMemoryLogHandler()
/// let logger = logs.logger(label: "test")
/// component.run(logger: logger)
/// #expect(logs.records.contains { $0.message == "Event recorded" })
/// #expect(!logs.text.contains("Jane"))
/// ```
///
/// `Sendable` through its `Mutex`: records are appended from any thread.
public final class InMemoryLogHandler: LogHandler, Sendable {
    private let storage = Mutex<[LogRecord]>([])

    /// An empty handler.
    public init() {}

    /// A logger writing to this handler, at `trace` level by default so that every record is kept.
    public func logger(
        label: String = "test",
        logLevel: Logger.Level = .trace,
        metadata: [String: String] = [:]
    ) -> Logger {
        Logger(label: label, logLevel: logLevel, metadata: metadata, handler: self)
    }

    public func log(_ record: LogRecord) {
        storage.withLock { $0.append(record) }
    }

    /// Every record so far, in the order they were logged.
    public var records: [LogRecord] {
        storage.withLock { $0 }
    }

    /// The records at `level` or above.
    public func records(atLeast level: Logger.Level) -> [LogRecord] {
        records.filter { $0.level >= level }
    }

    /// The messages of every record, in order.
    public var messages: [String] {
        records.map(\.message)
    }

    /// Forgets every record.
    public func removeAll() {
        storage.withLock { $0.removeAll() }
    }

    /// Every record as a line `level label: message key=value key=value`, keys sorted, with ALL metadata
    /// (including keys the production handler would drop), so that a scan for forbidden content sees
    /// everything the code tried to log.
    public var text: String {
        records.map { record in
            var line = "\(record.level.name) \(record.label): \(record.message)"
            for key in record.metadata.keys.sorted() {
                line += " \(key)=\(record.metadata[key] ?? "")"
            }
            return line
        }
        .joined(separator: "\n")
    }

    /// Every record as the production handler (``JSONLineLogHandler``) would write it, lines joined.
    public var jsonLines: String {
        records.map { String(decoding: JSONLineLogHandler.encode($0), as: UTF8.self) }.joined()
    }
}
