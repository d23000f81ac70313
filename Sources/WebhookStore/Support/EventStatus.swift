/// The status filter of ``EventQuery`` and the status shown in ``EventSummary``, in one place for every store.
enum EventStatus: String, Sendable {
    case pending
    case done
    case dead
    case rejected

    /// What `events list --status` accepts: the statuses plus `accepted` (every recorded event).
    enum Filter: Sendable, Equatable {
        /// No status given: every recorded event and every rejected body.
        case everything
        /// `accepted`: every recorded event, no rejected body.
        case accepted
        case only(EventStatus)

        init(_ status: String?) throws {
            switch status {
            case nil: self = .everything
            case "accepted": self = .accepted
            case .some(let text):
                guard let status = EventStatus(rawValue: text) else {
                    throw InboxError(
                        .invalidQuery,
                        "listEvents: unknown status (expected accepted, pending, done, dead or rejected)"
                    )
                }
                self = .only(status)
            }
        }

        var includesEvents: Bool {
            switch self {
            case .everything, .accepted: true
            case .only(let status): status != .rejected
            }
        }

        var includesRejected: Bool {
            switch self {
            case .everything: true
            case .accepted: false
            case .only(let status): status == .rejected
            }
        }

        func matches(_ status: EventStatus) -> Bool {
            switch self {
            case .everything, .accepted: true
            case .only(let wanted): wanted == status
            }
        }
    }

    /// An event's status from its deliveries' states: `dead` if any is dead (an operator must act), else
    /// `pending` if any is pending or running, else `done` (also with no delivery at all).
    static func of(_ states: some Sequence<DeliveryState>) -> EventStatus {
        var hasOpen = false
        for state in states {
            switch state {
            case .dead: return .dead
            case .pending, .running: hasOpen = true
            case .done: break
            }
        }
        return hasOpen ? .pending : .done
    }
}
