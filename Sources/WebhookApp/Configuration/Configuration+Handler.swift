public import WebhookCore

extension Configuration {
    /// One handler (`handlers[i]`, docs/reference.md §6): which events it gets and what it does with them.
    public struct Handler: Sendable {
        /// Unique name; recorded with each delivery and used by `replay --handler NAME`.
        public var name: String
        /// Which events it gets; nil means every event.
        public var match: HandlerMatch?
        /// Deliveries of this handler that may run at once.
        public var concurrency: Int
        /// What it does: the handler itself, built from its settings.
        public var kind: Kind
        /// The secrets its settings named (an `http` handler's `signingSecret`), so their environment
        /// variables can be kept from `exec` commands.
        public var secrets: [Secret]

        /// - Parameters:
        ///   - name: unique name (letters, digits, `.`, `_`, `-`).
        ///   - kind: what it does.
        ///   - match: which events, default every event.
        ///   - concurrency: parallel deliveries, default that of a ``Dispatcher/Registration`` (4).
        ///   - secrets: the secrets its settings named, default none.
        public init(
            name: String,
            kind: Kind,
            match: HandlerMatch? = nil,
            concurrency: Int = Dispatcher.Registration.defaultMaxConcurrency,
            secrets: [Secret] = []
        ) {
            self.name = name
            self.kind = kind
            self.match = match
            self.concurrency = concurrency
            self.secrets = secrets
        }
    }

    /// A built-in handler, by its `type`; each reads its own keys (`LogEventHandler+Configuration.swift`, …).
    public enum Kind: Sendable {
        /// `log`: one JSON line per event (no payload) on a standard stream.
        case log(LogEventHandler)
        /// `file`: appends the event JSON as one line to a file, synced per delivery.
        case file(FileEventHandler)
        /// `exec`: runs a command without a shell, the event JSON on stdin.
        case exec(ExecEventHandler)
        /// `http`: POSTs the event JSON to a URL.
        case http(HTTPEventHandler)

        /// Every `type` a configuration may name.
        public static let typeNames = ["log", "file", "exec", "http"]

        /// `log`, `file`, `exec` or `http`, as written in the configuration.
        public var typeName: String {
            switch self {
            case .log: return "log"
            case .file: return "file"
            case .exec: return "exec"
            case .http: return "http"
            }
        }

        /// The handler that runs the deliveries.
        public var handler: any WebhookHandler {
            switch self {
            case .log(let handler): return handler
            case .file(let handler): return handler
            case .exec(let handler): return handler
            case .http(let handler): return handler
            }
        }

        /// The keys a handler of `type` takes besides `name`, `type`, `match` and `concurrency`.
        static func configurationKeys(ofType type: String) -> [String] {
            switch type {
            case "log": return LogEventHandler.configurationKeys
            case "file": return FileEventHandler.configurationKeys
            case "exec": return ExecEventHandler.configurationKeys
            case "http": return HTTPEventHandler.configurationKeys
            default: return []
            }
        }

        /// Reads the handler of `type` from its object's members; nil when they are wrong (reported).
        static func read(
            type: String,
            _ members: [String: JSONValue],
            at path: JSONPath,
            secrets: inout [Secret],
            reader: inout ConfigurationReader
        ) -> Kind? {
            switch type {
            case "log": return LogEventHandler(members, at: path, reader: &reader).map(Kind.log)
            case "file": return FileEventHandler(members, at: path, reader: &reader).map(Kind.file)
            case "exec": return ExecEventHandler(members, at: path, reader: &reader).map(Kind.exec)
            case "http":
                return HTTPEventHandler(members, at: path, secrets: &secrets, reader: &reader).map(Kind.http)
            default: return nil
            }
        }
    }
}

// MARK: - Reading (docs/reference.md §6)

extension Configuration.Handler {
    /// The keys every handler takes, whatever its type.
    static let commonKeys = ["name", "type", "match", "concurrency"]

    /// The handlers when `handlers` is absent: one `log` handler to stdout, as the built-in defaults.
    static var defaultHandlers: [Configuration.Handler] {
        [Configuration.Handler(name: "log", kind: .log(LogEventHandler()))]
    }

    /// Reads `handlers`: the defaults when absent, every handler that is valid otherwise (the others are
    /// reported), with unique names.
    static func readList(
        _ value: JSONValue?,
        at path: JSONPath,
        reader: inout ConfigurationReader
    ) -> [Configuration.Handler] {
        guard let value else { return defaultHandlers }
        guard let elements = reader.array(value, at: path, what: "a list of handlers") else { return [] }
        if elements.isEmpty {
            reader.warn(
                path,
                "is empty: events are recorded but nothing acts on them; add a handler, or remove the key for the default log handler"
            )
        }
        var handlers: [Configuration.Handler] = []
        var namesSeen: [String: Int] = [:]
        for (index, element) in elements.enumerated() {
            let handlerPath = path.appending(index: index)
            if let name = reader.peekString("name", in: element), isName(name) {
                if let first = namesSeen[name] {
                    reader.error(
                        handlerPath.appending("name"),
                        "repeats the name of handlers[\(first)]: give each handler its own name"
                    )
                } else {
                    namesSeen[name] = index
                }
            }
            if let handler = Configuration.Handler(element, at: handlerPath, reader: &reader) {
                handlers.append(handler)
            }
        }
        return handlers
    }

    /// Reads one handler: the common keys here, the keys of its type by the handler type itself.
    init?(_ value: JSONValue, at path: JSONPath, reader: inout ConfigurationReader) {
        guard let members = reader.object(value, at: path, what: "a handler") else { return nil }
        let problemsBefore = reader.problems.count

        var name: String?
        if let value = members["name"] {
            if let text = reader.string(value, at: path.appending("name")) {
                if Self.isName(text) {
                    name = text
                } else {
                    reader.error(
                        path.appending("name"),
                        "must be 1 to 64 letters, digits, -, _ or .: rename the handler"
                    )
                }
            }
        } else {
            reader.error(path.appending("name"), "is missing: add a unique name, like \"name\": \"audit\"")
        }

        var type: String?
        let typeNames = Configuration.Kind.typeNames
        if let value = members["type"] {
            type = reader.enumString(value, at: path.appending("type"), allowed: typeNames, what: "a handler type")
        } else {
            reader.error(
                path.appending("type"),
                "is missing: add \"type\": one of \"log\", \"file\", \"exec\", \"http\""
            )
        }
        if let type {
            let allowed = Self.commonKeys + Configuration.Kind.configurationKeys(ofType: type)
            reader.rejectUnknownKeys(members, allowed: allowed, at: path, context: "for a \(type) handler")
        } else {
            let allKeys = Self.commonKeys + typeNames.flatMap(Configuration.Kind.configurationKeys(ofType:))
            reader.rejectUnknownKeys(members, allowed: Array(Set(allKeys)).sorted(), at: path, context: "in a handler")
        }

        var match: HandlerMatch?
        if let value = members["match"] { match = HandlerMatch(value, at: path.appending("match"), reader: &reader) }
        var concurrency = Dispatcher.Registration.defaultMaxConcurrency
        if let value = members["concurrency"] {
            concurrency = reader.integer(value, at: path.appending("concurrency"), in: 1...1024, fallback: concurrency)
        }

        var secrets: [Secret] = []
        let kind = type.flatMap {
            Configuration.Kind.read(type: $0, members, at: path, secrets: &secrets, reader: &reader)
        }
        guard let name, let kind, reader.problems.count == problemsBefore else { return nil }
        self.init(name: name, kind: kind, match: match, concurrency: concurrency, secrets: secrets)
    }

    /// 1 to 64 of letters, digits, `-`, `_`, `.`.
    static func isName(_ name: String) -> Bool {
        (1...64).contains(name.count)
            && name.unicodeScalars.allSatisfy { ConfigurationReader.isUnreserved($0) && $0 != "~" }
    }
}
