import WebhookStore

/// Feeds the receive path's reports into ``WebhookMetrics`` and wakes the dispatcher for new events.
struct MetricsReceiveObserver: ReceiveObserver {
    let metrics: WebhookMetrics
    let onAccepted: @Sendable () -> Void

    func refused(route: String, refusal: WebhookReceiver.Refusal) {
        switch refusal {
        case .signature: metrics.recordSignatureFailure(route: route)
        case .token: metrics.recordTokenFailure(route: route)
        case .forbidden: metrics.recordForbidden(route: route)
        case .badRequest, .invalidPayload: break
        }
    }

    func recorded(route: String, type: String, outcome: RecordOutcome, deliveries: Int) {
        switch outcome {
        case .accepted:
            metrics.recordEvent(type: type)
            // Only an event queued for some handler gives the dispatcher work.
            if deliveries > 0 { onAccepted() }
        case .duplicate:
            metrics.recordDuplicate(route: route)
        }
    }

    func eventHeaderMismatch(route: String) {
        metrics.recordEventTypeMismatch(route: route)
    }

    func storeFailed(route: String) {
        metrics.recordStoreCommitFailure()
    }
}
