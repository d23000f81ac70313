import Synchronization
import WebhookStore

/// Turns the store's health events into log lines and metrics.
///
/// Every fault is counted (`kyc_webhooks_store_errors_total{kind}`) and clears `kyc_webhooks_store_ready`; each
/// kind is logged at error level once per episode, so a full disk under load writes one line, not one per
/// request; when a commit succeeds again the episode ends with one notice and the gauge is set again. A damaged
/// store never recovers without a restart, so it is logged once.
final class StoreHealthReporter: Sendable {
    private let logger: Logger
    private let metrics: WebhookMetrics
    private let loggedKinds = Mutex<Set<StoreFault.Kind>>([])

    init(logger: Logger, metrics: WebhookMetrics) {
        self.logger = logger
        self.metrics = metrics
    }

    func observe(_ event: StoreHealthEvent) {
        switch event {
        case .fault(let fault):
            metrics.recordStoreFault(fault.kind)
            metrics.storeReady.set(0)
            let isFirstOfItsKind = loggedKinds.withLock { $0.insert(fault.kind).inserted }
            guard isFirstOfItsKind else { return }
            let message =
                fault.kind == .damaged
                ? "The store is damaged; webhooks get 503 until it is restored from a backup and the daemon restarted"
                : "The store cannot commit; webhooks get 503 with Retry-After until it can"
            logger.error(message, metadata: ["store.fault": fault.kind.rawValue, "store.error": fault.detail])
        case .recovered:
            metrics.storeReady.set(1)
            let hadFaults = loggedKinds.withLock { kinds in
                defer { kinds.removeAll() }
                return !kinds.isEmpty
            }
            if hadFaults { logger.notice("The store commits again") }
        case .reconnected:
            metrics.storeReconnects.increment()
        }
    }
}
