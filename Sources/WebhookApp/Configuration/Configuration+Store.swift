extension Configuration {
    /// Where events are recorded (`store`, SPEC §3 and DESIGN "Storage").
    public struct Store: Sendable {
        /// The kind of store.
        public enum Kind: String, Sendable, Equatable, CaseIterable {
            /// The embedded default: one SQLite file, WAL, synced before each 200.
            case sqlite
            /// Tests and demos: nothing survives a restart (a startup warning says so).
            case memory
            /// Several receivers sharing one PostgreSQL database (`url`).
            case postgres
        }

        /// The kind of store.
        public var kind: Kind
        /// The SQLite file (relative to the current directory); used by `sqlite` only.
        public var path: String
        /// Days a recorded payload is kept before it is pruned.
        public var payloadRetentionDays: Int
        /// Days a key is kept, so a late redelivery is still a duplicate; at least ``payloadRetentionDays``.
        public var keyRetentionDays: Int
        /// The PostgreSQL connection URL; set for `postgres` only.
        public var url: Secret?
        /// Whether the store writer commits every waiting record in one transaction (one fsync for many
        /// requests). A benchmark and diagnostic knob: turning it off syncs each event on its own, which is
        /// just as safe and much slower.
        public var groupCommit: Bool

        /// - Parameters:
        ///   - kind: default `sqlite`.
        ///   - path: SQLite file, default `data/kyc-webhooks.sqlite3`.
        ///   - payloadRetentionDays: default 30.
        ///   - keyRetentionDays: default 365.
        ///   - url: PostgreSQL URL, required for `postgres`, default nil.
        ///   - groupCommit: default true.
        public init(
            kind: Kind = .sqlite,
            path: String = "data/kyc-webhooks.sqlite3",
            payloadRetentionDays: Int = 30,
            keyRetentionDays: Int = 365,
            url: Secret? = nil,
            groupCommit: Bool = true
        ) {
            self.kind = kind
            self.path = path
            self.payloadRetentionDays = payloadRetentionDays
            self.keyRetentionDays = keyRetentionDays
            self.url = url
            self.groupCommit = groupCommit
        }
    }
}
