/// One vocabulary of outcomes across senders (docs/reference.md §5). Derived from the event name, never from `status`.
public enum Outcome: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    case created
    case submitted
    case inProgress = "in_progress"
    case inReview = "in_review"
    case approved
    case rejected
    case abandoned
    case expired
    case cancelled
    case updated
    case deleted
    case retried
    case amlScreened = "aml_screened"
    case amlMonitored = "aml_monitored"
    case injectionDetected = "injection_detected"
    case triggered
    case statusChanged = "status_changed"
    case unknown
}
