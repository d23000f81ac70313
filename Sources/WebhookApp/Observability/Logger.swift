public import Foundation

/// A small structured logger in the shape of swift-log: a value type with a level, metadata and a handler.
///
/// Components receive a logger through `init` and never create their own. Messages are constant sentences;
/// values go in dotted metadata keys (`http.status`, `webhook.event_type`). Never log a secret, a signature,
/// a body or a payload value.
public struct Logger: Sendable {
    /// Severity, lowest first.
    public enum Level: Int, Sendable, Comparable, CaseIterable {
        case trace
        case debug
        case info
        case notice
        case warning
        case error
        case critical

        public var name: String {
            switch self {
            case .trace: return "trace"
            case .debug: return "debug"
            case .info: return "info"
            case .notice: return "notice"
            case .warning: return "warning"
            case .error: return "error"
            case .critical: return "critical"
            }
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var label: String
    public var logLevel: Level
    /// Attached to every record of this logger (`request.id`, `http.route`).
    public var metadata: [String: String]
    public let handler: any LogHandler

    public init(label: String, logLevel: Level = .info, metadata: [String: String] = [:], handler: any LogHandler) {
        self.label = label
        self.logLevel = logLevel
        self.metadata = metadata
        self.handler = handler
    }

    /// Adds or replaces one metadata value.
    public subscript(metadataKey key: String) -> String? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// `message` and `metadata` are evaluated only when `level` is enabled (as swift-log's): a debug line on
    /// the request path costs nothing at the default level.
    public func log(
        _ level: Level,
        _ message: @autoclosure () -> String,
        metadata extra: @autoclosure () -> [String: String] = [:]
    ) {
        guard level >= logLevel else { return }
        var merged = metadata
        for (key, value) in extra() { merged[key] = value }
        handler.log(LogRecord(time: Date(), level: level, label: label, message: message(), metadata: merged))
    }

    public func trace(_ message: @autoclosure () -> String, metadata: @autoclosure () -> [String: String] = [:]) {
        log(.trace, message(), metadata: metadata())
    }
    public func debug(_ message: @autoclosure () -> String, metadata: @autoclosure () -> [String: String] = [:]) {
        log(.debug, message(), metadata: metadata())
    }
    public func info(_ message: @autoclosure () -> String, metadata: @autoclosure () -> [String: String] = [:]) {
        log(.info, message(), metadata: metadata())
    }
    public func notice(_ message: @autoclosure () -> String, metadata: @autoclosure () -> [String: String] = [:]) {
        log(.notice, message(), metadata: metadata())
    }
    public func warning(_ message: @autoclosure () -> String, metadata: @autoclosure () -> [String: String] = [:]) {
        log(.warning, message(), metadata: metadata())
    }
    public func error(_ message: @autoclosure () -> String, metadata: @autoclosure () -> [String: String] = [:]) {
        log(.error, message(), metadata: metadata())
    }
}

/// One log record, handed to a ``LogHandler``.
public struct LogRecord: Sendable {
    public var time: Date
    public var level: Logger.Level
    public var label: String
    public var message: String
    public var metadata: [String: String]

    public init(time: Date, level: Logger.Level, label: String, message: String, metadata: [String: String]) {
        self.time = time
        self.level = level
        self.label = label
        self.message = message
        self.metadata = metadata
    }
}

/// Where records go: one requirement, as swift-log's `LogHandler`.
public protocol LogHandler: Sendable {
    func log(_ record: LogRecord)
}
