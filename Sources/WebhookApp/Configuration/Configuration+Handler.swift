public import WebhookCore

extension Configuration {
    /// One handler (`handlers[i]`, SPEC §6): which events it gets and what it does with them.
    public struct Handler: Sendable {
        /// Unique name; recorded with each delivery and used by `replay --handler NAME`.
        public var name: String
        /// Which events it gets; nil means every event.
        public var match: Match?
        /// Deliveries of this handler that may run at once.
        public var concurrency: Int
        /// What it does.
        public var kind: Kind

        /// - Parameters:
        ///   - name: unique name (letters, digits, `.`, `_`, `-`).
        ///   - kind: what it does.
        ///   - match: which events, default every event.
        ///   - concurrency: parallel deliveries, default 4.
        public init(name: String, kind: Kind, match: Match? = nil, concurrency: Int = 4) {
            self.name = name
            self.kind = kind
            self.match = match
            self.concurrency = concurrency
        }
    }

    /// Which events a handler gets: an event matches when it satisfies every list that is given.
    public struct Match: Sendable, Equatable {
        /// Event type globs (`kyc.*`, `biometric.session_approved`, `argos.*`); `*` matches any run of
        /// characters. Nil: any type.
        public var types: [String]?
        /// Exact sources (`gu1.kyc`, `gu1.biometric`, `gu1.entity`, `argos`). Nil: any source.
        public var sources: [String]?
        /// Outcomes (SPEC §5 vocabulary). Nil: any outcome.
        public var outcomes: [Outcome]?

        /// - Parameters:
        ///   - types: type globs, default any.
        ///   - sources: exact sources, default any.
        ///   - outcomes: outcomes, default any.
        public init(types: [String]? = nil, sources: [String]? = nil, outcomes: [Outcome]? = nil) {
            self.types = types
            self.sources = sources
            self.outcomes = outcomes
        }
    }

    /// What a handler does (its `type` and that type's keys).
    public enum Kind: Sendable {
        /// `log`: one JSON line per event (no payload) on a standard stream.
        case log(LogStream)
        /// `file`: appends the event JSON as one line to the file at this path, synced per delivery.
        case file(path: String)
        /// `exec`: runs a command without a shell, the event JSON on stdin.
        case exec(Exec)
        /// `http`: POSTs the event JSON to a URL.
        case http(HTTP)

        /// `log`, `file`, `exec` or `http`, as written in the configuration.
        public var typeName: String {
            switch self {
            case .log: return "log"
            case .file: return "file"
            case .exec: return "exec"
            case .http: return "http"
            }
        }
    }

    /// The stream of a `log` handler (`stream`).
    public enum LogStream: String, Sendable, Equatable, CaseIterable {
        /// Standard output (the default).
        case stdout
        /// Standard error.
        case stderr
    }

    /// An `exec` handler's command.
    public struct Exec: Sendable, Equatable {
        /// The program and its arguments; never run through a shell.
        public var command: [String]
        /// The command is killed after this long, and the attempt fails.
        public var timeoutSeconds: Double

        /// - Parameters:
        ///   - command: program and arguments, not empty.
        ///   - timeoutSeconds: default 30.
        public init(command: [String], timeoutSeconds: Double = 30) {
            self.command = command
            self.timeoutSeconds = timeoutSeconds
        }
    }

    /// An `http` handler's endpoint.
    public struct HTTP: Sendable {
        /// An `http` or `https` URL.
        public var url: String
        /// The request is abandoned after this long, and the attempt fails.
        public var timeoutSeconds: Double
        /// When set, requests are signed per Standard Webhooks (`webhook-signature: v1,<base64 HMAC>`).
        public var signingSecret: Secret?

        /// - Parameters:
        ///   - url: `http` or `https` URL.
        ///   - timeoutSeconds: default 10.
        ///   - signingSecret: Standard Webhooks signing key, default none (unsigned).
        public init(url: String, timeoutSeconds: Double = 10, signingSecret: Secret? = nil) {
            self.url = url
            self.timeoutSeconds = timeoutSeconds
            self.signingSecret = signingSecret
        }
    }
}
