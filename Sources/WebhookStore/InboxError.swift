/// Why an ``Inbox`` refused an operation (anything but the storage engine's own errors).
///
/// A public set that may grow: a struct wrapping a code, so adding a case is not a breaking change.
public struct InboxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: Sendable, Hashable {
            case closed
            case deliveryNotFound
            case deliveryNotRunning
            case invalidQuery
            case incompatibleSchema
            case untrustedStore
            case storeMissing
            case storeDamaged
            case unsafeConfiguration
        }

        private let value: Value

        private init(_ value: Value) {
            self.value = value
        }

        /// ``Inbox/close()`` was called: nothing more is accepted.
        public static let closed = Code(.closed)
        /// No delivery has this ID (complete, fail or release of an unknown delivery).
        public static let deliveryNotFound = Code(.deliveryNotFound)
        /// The delivery is not running, so it cannot be completed, failed or released.
        public static let deliveryNotRunning = Code(.deliveryNotRunning)
        /// An ``EventQuery`` with an unknown status.
        public static let invalidQuery = Code(.invalidQuery)
        /// The database file was written by a newer version of the program (more migrations than known).
        public static let incompatibleSchema = Code(.incompatibleSchema)
        /// An existing store file is empty, not a database, another application's, or fails its check at open:
        /// refused rather than taken for a new store (its history would be lost without a word).
        public static let untrustedStore = Code(.untrustedStore)
        /// A command that only uses a store found none (only the daemon creates one).
        public static let storeMissing = Code(.storeMissing)
        /// The running store found a damaged page (`SQLITE_CORRUPT`, `SQLITE_NOTADB`): nothing more is written
        /// until the operator restores it.
        public static let storeDamaged = Code(.storeDamaged)
        /// The database is set up so that a commit would not be durable (PostgreSQL's `synchronous_commit`
        /// off): refused at open, since a 200 must mean durably committed.
        public static let unsafeConfiguration = Code(.unsafeConfiguration)

        public var description: String {
            switch value {
            case .closed: "closed"
            case .deliveryNotFound: "deliveryNotFound"
            case .deliveryNotRunning: "deliveryNotRunning"
            case .invalidQuery: "invalidQuery"
            case .incompatibleSchema: "incompatibleSchema"
            case .untrustedStore: "untrustedStore"
            case .storeMissing: "storeMissing"
            case .storeDamaged: "storeDamaged"
            case .unsafeConfiguration: "unsafeConfiguration"
            }
        }
    }

    public let code: Code
    /// One sentence naming the operation; never a payload value.
    public let detail: String

    init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { detail }

    static func closed(_ operation: String) -> InboxError {
        InboxError(.closed, "\(operation): the inbox is closed")
    }

    static func deliveryNotFound(_ id: Delivery.ID, _ operation: String) -> InboxError {
        InboxError(.deliveryNotFound, "\(operation): no delivery with id \(id)")
    }

    static func deliveryNotRunning(_ id: Delivery.ID, _ operation: String) -> InboxError {
        InboxError(.deliveryNotRunning, "\(operation): delivery \(id) is not running")
    }
}
