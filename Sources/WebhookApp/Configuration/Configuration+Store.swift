import WebhookCore
import WebhookStore

extension Configuration {
    /// Where events are recorded (`store`, docs/reference.md §3 and docs/architecture.md "Storage").
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
        /// The PostgreSQL connection URL (or libpq connection string); set for `postgres` only. A secret: it may
        /// hold a password.
        public var url: Secret?
        /// The PostgreSQL schema of the tables (`postgres`): a lowercase identifier, default `kyc_webhooks`.
        public var schema: String
        /// Connections to PostgreSQL (`postgres`): one writer, the rest for the dispatcher and the rest; 2 to 64.
        public var poolSize: Int
        /// Seconds a delivery claimed by a receiver stays its own without renewal (`postgres`); a dead
        /// receiver's deliveries run elsewhere this long after it died. Default 30.
        public var leaseSeconds: Int
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
        ///   - schema: PostgreSQL schema, default `kyc_webhooks`.
        ///   - poolSize: PostgreSQL connections, default 4.
        ///   - leaseSeconds: PostgreSQL delivery lease, default 30.
        ///   - groupCommit: default true.
        public init(
            kind: Kind = .sqlite,
            path: String = "data/kyc-webhooks.sqlite3",
            payloadRetentionDays: Int = 30,
            keyRetentionDays: Int = 365,
            url: Secret? = nil,
            schema: String = "kyc_webhooks",
            poolSize: Int = 4,
            leaseSeconds: Int = 30,
            groupCommit: Bool = true
        ) {
            self.kind = kind
            self.path = path
            self.payloadRetentionDays = payloadRetentionDays
            self.keyRetentionDays = keyRetentionDays
            self.url = url
            self.schema = schema
            self.poolSize = poolSize
            self.leaseSeconds = leaseSeconds
            self.groupCommit = groupCommit
        }
    }
}

// MARK: - Reading (docs/reference.md §3)

extension Configuration.Store {
    /// The keys of `store` whatever its kind.
    static let commonKeys = ["kind", "payloadRetentionDays", "keyRetentionDays", "groupCommit"]

    /// The keys only a store of `kind` takes. A new kind adds its keys here and its reading to
    /// ``readKindSettings(of:_:at:reader:)``.
    static func configurationKeys(of kind: Kind) -> [String] {
        switch kind {
        case .sqlite: return ["path"]
        case .memory: return []
        case .postgres: return ["url", "schema", "poolSize", "leaseSeconds"]
        }
    }

    /// Reads `store`; every key that is absent or wrong (reported) keeps its default.
    init(_ value: JSONValue, at path: JSONPath, reader: inout ConfigurationReader) {
        self.init()
        guard let members = reader.object(value, at: path, what: "store") else { return }
        let kindKeys = Kind.allCases.flatMap(Self.configurationKeys(of:))
        reader.rejectUnknownKeys(members, allowed: Self.commonKeys + kindKeys, at: path, context: "in store")
        var kind: Kind? = .sqlite
        if let value = members["kind"] {
            kind = reader.enumValue(value, at: path.appending("kind"), what: "a store kind")
        }
        if let kind {
            self.kind = kind
            // A key of another kind is a mistake worth naming precisely (not "unknown").
            let ownKeys = Self.configurationKeys(of: kind)
            for other in Kind.allCases where other != kind {
                for key in Self.configurationKeys(of: other) where members[key] != nil && !ownKeys.contains(key) {
                    reader.error(
                        path.appending(key),
                        "applies only to the \(other.rawValue) store: remove it, or set kind to \"\(other.rawValue)\""
                    )
                }
            }
            readKindSettings(of: kind, members, at: path, reader: &reader)
        }

        if let value = members["payloadRetentionDays"] {
            let valuePath = path.appending("payloadRetentionDays")
            payloadRetentionDays = reader.integer(value, at: valuePath, in: 1...36_500, fallback: payloadRetentionDays)
        }
        if let value = members["keyRetentionDays"] {
            let valuePath = path.appending("keyRetentionDays")
            keyRetentionDays = reader.integer(value, at: valuePath, in: 1...36_500, fallback: keyRetentionDays)
        }
        if keyRetentionDays < payloadRetentionDays {
            reader.error(
                path.appending("keyRetentionDays"),
                "must be at least payloadRetentionDays, so a redelivery of a stored event is still a duplicate:"
                    + " raise it or lower payloadRetentionDays"
            )
        }
        if let value = members["groupCommit"] {
            groupCommit = reader.bool(value, at: path.appending("groupCommit"), fallback: groupCommit)
        }
    }

    /// Reads the keys that belong to `kind` (``configurationKeys(of:)``).
    private mutating func readKindSettings(
        of kind: Kind,
        _ members: [String: JSONValue],
        at path: JSONPath,
        reader: inout ConfigurationReader
    ) {
        switch kind {
        case .sqlite:
            if let value = members["path"],
                let text = reader.nonEmptyString(value, at: path.appending("path"), what: "the SQLite file path")
            {
                self.path = text
            }
        case .memory:
            reader.warn(
                path.appending("kind"),
                "the memory store keeps nothing across a restart, so accepted events can be lost: use it only for tests and demos"
            )
        case .postgres:
            guard let value = members["url"] else {
                reader.error(
                    path.appending("url"),
                    "is required for the postgres store: add \"url\": {\"env\": \"DATABASE_URL\"}"
                )
                return
            }
            switch reader.secret(value, at: path.appending("url")) {
            case .resolved(let url):
                self.url = url
            case .absent:
                reader.error(
                    path.appending("url"),
                    "the postgres store needs its URL: set the variable or file it names, or remove \"optional\""
                )
            case .invalid:
                break
            }
            if let value = members["schema"],
                let text = reader.nonEmptyString(value, at: path.appending("schema"), what: "a schema name")
            {
                if PostgresSchema.isValid(text) {
                    schema = text
                } else {
                    reader.error(
                        path.appending("schema"),
                        "must be a lowercase identifier: a letter or _, then letters, digits or _ (at most 63)"
                    )
                }
            }
            if let value = members["poolSize"] {
                poolSize = reader.integer(value, at: path.appending("poolSize"), in: 2...64, fallback: poolSize)
            }
            if let value = members["leaseSeconds"] {
                leaseSeconds = reader.integer(
                    value,
                    at: path.appending("leaseSeconds"),
                    in: 1...3600,
                    fallback: leaseSeconds
                )
            }
        }
    }
}
