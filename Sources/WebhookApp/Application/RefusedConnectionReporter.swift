import Glibc
import Synchronization
import SystemSupport
internal import WebhookHTTP

/// Counts the connections the listener could not take and warns about them in the log, at most once per
/// `interval` for each reason (a flood of refusals must not become a flood of log lines).
///
/// Runs on event-loop threads: two relaxed atomics and, now and then, one log line.
final class RefusedConnectionReporter: Sendable {
    private let metrics: WebhookMetrics
    private let logger: Logger
    private let intervalNanoseconds: UInt64
    /// Per reason: when its last warning was written (``monotonicNanoseconds()``), 0 for never.
    private let lastOverLimitWarning = Atomic<UInt64>(0)
    private let lastOutOfResourcesWarning = Atomic<UInt64>(0)
    private let maxConnections: Int

    init(metrics: WebhookMetrics, logger: Logger, maxConnections: Int, intervalSeconds: UInt64 = 10) {
        self.metrics = metrics
        self.logger = logger
        self.maxConnections = maxConnections
        intervalNanoseconds = intervalSeconds * 1_000_000_000
    }

    func refused(_ refusal: RefusedConnection) {
        switch refusal {
        case .overLimit:
            metrics.connectionsRefusedOverLimit.increment()
            if isDue(lastOverLimitWarning) {
                logger.warning(
                    "connection refused: limits.maxConnections connections are already open",
                    metadata: ["limits.maxConnections": "\(maxConnections)"]
                )
            }
        case .outOfResources(let number):
            metrics.connectionsRefusedOutOfResources.increment()
            if isDue(lastOutOfResourcesWarning) {
                logger.warning(
                    "cannot accept connections: out of file descriptors or memory; pausing accept for 250 ms",
                    metadata: ["errno": "\(number)", "error": String(cString: strerror(number))]
                )
            }
        }
    }

    /// Whether a warning may be written now, claiming the slot if so.
    private func isDue(_ last: borrowing Atomic<UInt64>) -> Bool {
        let now = monotonicNanoseconds()
        let previous = last.load(ordering: .relaxed)
        guard previous == 0 || now &- previous >= intervalNanoseconds else { return false }
        return last.compareExchange(expected: previous, desired: now, ordering: .relaxed).exchanged
    }
}
