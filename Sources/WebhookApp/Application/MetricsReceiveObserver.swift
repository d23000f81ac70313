import WebhookStore

/// Feeds the receive path's reports into ``WebhookMetrics``.
struct MetricsReceiveObserver: ReceiveObserver {
    let metrics: WebhookMetrics

    func refused(route: String, refusal: WebhookReceiver.Refusal) {
        switch refusal {
        case .signature: metrics.recordSignatureFailure(route: route)
        case .token: metrics.recordTokenFailure(route: route)
        case .forbidden: metrics.recordForbidden(route: route)
        case .badRequest, .invalidPayload: break
        }
    }

    func recorded(route: String, type: String, outcome: RecordOutcome) {
        switch outcome {
        case .accepted:
            metrics.recordEvent(type: type)
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
