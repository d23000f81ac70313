import Foundation
import WebhookCore

// MARK: - Entry point

extension Configuration {
    /// Parses and validates a JSON configuration (SPEC §3), resolving its secrets, and reports every
    /// problem at once.
    ///
    /// Each problem has the JSON path of the offending value and a sentence saying what to change; none
    /// repeats a value from the document (only key names, variable names and file paths), so a secret
    /// written by mistake in the wrong place is never echoed.
    ///
    /// - Parameters:
    ///   - json: the document's bytes.
    ///   - environment: the process environment, for `{"env": NAME}` secrets.
    ///   - currentDirectory: where relative `{"file": PATH}` secrets are read from.
    /// - Returns: the configuration (nil when there is an error), the problems and the warnings, with the
    ///   source `.text`.
    public static func parse(
        json: [UInt8],
        environment: [String: String],
        currentDirectory: String
    ) -> ConfigurationLoadResult {
        parse(json: json, environment: environment, currentDirectory: currentDirectory, source: .text)
    }

    /// ``parse(json:environment:currentDirectory:)`` with the source to report.
    static func parse(
        json: [UInt8],
        environment: [String: String],
        currentDirectory: String,
        source: ConfigurationLoadResult.Source
    ) -> ConfigurationLoadResult {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(json), options: [])
        } catch {
            let name = if case .file(let file) = source { "configuration file \(file)" } else { "\(source)" }
            let problem = ConfigurationProblem(
                severity: .error,
                path: "",
                message: "\(name) is not valid JSON (\(jsonErrorDetail(error, json: json))): fix the syntax"
            )
            return ConfigurationLoadResult(source: source, configuration: nil, problems: [problem], warnings: [])
        }
        var parser = ConfigurationParser(environment: environment, currentDirectory: currentDirectory)
        for path in DuplicateKeyFinder.duplicates(in: json) {
            parser.error(path, "appears twice in the same object, and only one would be used: keep one")
        }
        let configuration = parser.parseDocument(JSONValue(foundation: object))
        return ConfigurationLoadResult(
            source: source,
            configuration: parser.problems.isEmpty ? configuration : nil,
            problems: parser.problems,
            warnings: parser.warnings,
            store: configuration.store
        )
    }

    /// Where Foundation says the syntax breaks, as a line and column, without any text of the document.
    private static func jsonErrorDetail(_ error: any Error, json: [UInt8]) -> String {
        let debug = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? ""
        if let range = debug.range(of: "character [0-9]+", options: .regularExpression),
            let offset = Int(debug[range].dropFirst("character ".count))
        {
            let before = json.prefix(offset)
            let line = before.count { $0 == UInt8(ascii: "\n") } + 1
            let column = offset - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
            let what = debug.contains("nested") ? "nested too deeply" : "a syntax error"
            return "\(what) at line \(line), column \(column)"
        }
        if debug.contains("end of file") { return "it ends before the document is complete" }
        return "a syntax error"
    }
}

// MARK: - Parser

/// Walks the JSON document, building the configuration and collecting problems with their paths.
///
/// Every reader reports what it finds wrong and returns a usable default, so one mistake never hides
/// another and one mistake is reported once.
struct ConfigurationParser {
    let environment: [String: String]
    let currentDirectory: String
    private(set) var problems: [ConfigurationProblem] = []
    private(set) var warnings: [ConfigurationProblem] = []

    init(environment: [String: String], currentDirectory: String) {
        self.environment = environment
        self.currentDirectory = currentDirectory
    }

    // MARK: Reporting

    mutating func error(_ path: JSONPath, _ message: String) {
        problems.append(ConfigurationProblem(severity: .error, path: path.description, message: message))
    }

    mutating func warn(_ path: JSONPath, _ message: String) {
        warnings.append(ConfigurationProblem(severity: .warning, path: path.description, message: message))
    }

    // MARK: Document

    static let topLevelKeys = [
        "listen", "trustedProxies", "limits", "store", "routes", "handlers", "retry", "logLevel",
    ]

    mutating func parseDocument(_ document: JSONValue) -> Configuration {
        let path = JSONPath.root
        var configuration = Configuration()
        guard let members = object(document, at: path, what: "the configuration") else { return configuration }
        rejectUnknownKeys(members, allowed: Self.topLevelKeys, at: path, context: "at the top level")

        if let value = members["listen"] { configuration.listen = parseListen(value, at: path.appending("listen")) }
        if let value = members["trustedProxies"] {
            configuration.trustedProxies = parseCIDRList(value, at: path.appending("trustedProxies"), allowsEmpty: true)
        }
        if let value = members["limits"] { configuration.limits = parseLimits(value, at: path.appending("limits")) }
        if let value = members["store"] { configuration.store = parseStore(value, at: path.appending("store")) }
        configuration.routes = parseRoutes(members["routes"], at: path.appending("routes"))
        configuration.handlers = parseHandlers(members["handlers"], at: path.appending("handlers"))
        if let value = members["retry"] { configuration.retry = parseRetry(value, at: path.appending("retry")) }
        if let value = members["logLevel"] {
            let names = Logger.Level.allCases.map(\.name)
            if let name = enumString(value, at: path.appending("logLevel"), allowed: names, what: "a log level") {
                configuration.logLevel = Logger.Level.allCases.first { $0.name == name }
            }
        }
        return configuration
    }

    // MARK: listen

    mutating func parseListen(_ value: JSONValue, at path: JSONPath) -> Configuration.Listen {
        var listen = Configuration.Listen()
        guard let members = object(value, at: path, what: "listen") else { return listen }
        rejectUnknownKeys(members, allowed: ["host", "port"], at: path, context: "in listen")
        if let host = members["host"], let text = string(host, at: path.appending("host")) {
            if text == "localhost" || IPAddress.parse(Substring(text)) != nil {
                listen.host = text
            } else {
                error(
                    path.appending("host"),
                    "must be an IPv4 or IPv6 address or localhost: use 127.0.0.1 behind a local reverse proxy,"
                        + " or 0.0.0.0 to listen on every interface"
                )
            }
        }
        if let port = members["port"] {
            listen.port = integer(port, at: path.appending("port"), in: 0...65_535, fallback: listen.port)
        }
        return listen
    }

    // MARK: limits

    mutating func parseLimits(_ value: JSONValue, at path: JSONPath) -> Configuration.Limits {
        var limits = Configuration.Limits()
        guard let members = object(value, at: path, what: "limits") else { return limits }
        let keys = [
            "maxBodyBytes", "maxHeaderBytes", "maxTargetBytes", "maxFieldCount", "headerTimeoutSeconds",
            "bodyTimeoutSeconds", "idleTimeoutSeconds", "maxConnections",
        ]
        rejectUnknownKeys(members, allowed: keys, at: path, context: "in limits")
        func read(_ key: String, _ range: ClosedRange<Int>, _ fallback: Int, _ parser: inout ConfigurationParser) -> Int {
            guard let value = members[key] else { return fallback }
            return parser.integer(value, at: path.appending(key), in: range, fallback: fallback)
        }
        func readSeconds(_ key: String, _ fallback: Double, _ parser: inout ConfigurationParser) -> Double {
            guard let value = members[key] else { return fallback }
            return parser.seconds(value, at: path.appending(key), maximum: 3600, fallback: fallback)
        }
        limits.maxBodyBytes = read("maxBodyBytes", 1...1_073_741_824, limits.maxBodyBytes, &self)
        limits.maxHeaderBytes = read("maxHeaderBytes", 1024...1_048_576, limits.maxHeaderBytes, &self)
        limits.maxTargetBytes = read("maxTargetBytes", 64...1_048_576, limits.maxTargetBytes, &self)
        limits.maxFieldCount = read("maxFieldCount", 1...10_000, limits.maxFieldCount, &self)
        limits.maxConnections = read("maxConnections", 1...1_000_000, limits.maxConnections, &self)
        limits.headerTimeoutSeconds = readSeconds("headerTimeoutSeconds", limits.headerTimeoutSeconds, &self)
        limits.bodyTimeoutSeconds = readSeconds("bodyTimeoutSeconds", limits.bodyTimeoutSeconds, &self)
        limits.idleTimeoutSeconds = readSeconds("idleTimeoutSeconds", limits.idleTimeoutSeconds, &self)
        if members["idleTimeoutSeconds"] != nil, limits.idleTimeoutSeconds <= 60 {
            warn(
                path.appending("idleTimeoutSeconds"),
                "is not longer than nginx's 60 s upstream keep-alive, so the proxy may reuse a connection this server"
                    + " is closing: raise it above the proxy's keep-alive timeout (default 75)"
            )
        }
        return limits
    }

    // MARK: store

    mutating func parseStore(_ value: JSONValue, at path: JSONPath) -> Configuration.Store {
        var store = Configuration.Store()
        guard let members = object(value, at: path, what: "store") else { return store }
        let keys = ["kind", "path", "payloadRetentionDays", "keyRetentionDays", "url", "groupCommit"]
        rejectUnknownKeys(members, allowed: keys, at: path, context: "in store")
        var kind: Configuration.Store.Kind? = .sqlite
        if let value = members["kind"] {
            let names = Configuration.Store.Kind.allCases.map(\.rawValue)
            kind = enumString(value, at: path.appending("kind"), allowed: names, what: "a store kind")
                .flatMap(Configuration.Store.Kind.init(rawValue:))
        }
        if let kind { store.kind = kind }

        if let value = members["path"] {
            if let kind, kind != .sqlite {
                error(path.appending("path"), "applies only to the sqlite store: remove it, or set kind to \"sqlite\"")
            } else if let text = nonEmptyString(value, at: path.appending("path"), what: "the SQLite file path") {
                store.path = text
            }
        }
        if let value = members["payloadRetentionDays"] {
            store.payloadRetentionDays = integer(
                value,
                at: path.appending("payloadRetentionDays"),
                in: 1...36_500,
                fallback: store.payloadRetentionDays
            )
        }
        if let value = members["keyRetentionDays"] {
            store.keyRetentionDays = integer(
                value,
                at: path.appending("keyRetentionDays"),
                in: 1...36_500,
                fallback: store.keyRetentionDays
            )
        }
        if store.keyRetentionDays < store.payloadRetentionDays {
            error(
                path.appending("keyRetentionDays"),
                "must be at least payloadRetentionDays, so a redelivery of a stored event is still a duplicate:"
                    + " raise it or lower payloadRetentionDays"
            )
        }
        if let value = members["groupCommit"] {
            store.groupCommit = bool(value, at: path.appending("groupCommit"), fallback: store.groupCommit)
        }
        switch kind {
        case .postgres:
            if let value = members["url"] {
                switch secret(value, at: path.appending("url")) {
                case .resolved(let url):
                    store.url = url
                case .absent:
                    error(
                        path.appending("url"),
                        "the postgres store needs its URL: set the variable or file it names, or remove \"optional\""
                    )
                case .invalid:
                    break
                }
            } else {
                error(path.appending("url"), "is required for the postgres store: add \"url\": {\"env\": \"DATABASE_URL\"}")
            }
        case .sqlite, .memory:
            if members["url"] != nil {
                error(path.appending("url"), "applies only to the postgres store: remove it, or set kind to \"postgres\"")
            }
            if kind == .memory {
                warn(
                    path.appending("kind"),
                    "the memory store keeps nothing across a restart, so accepted events can be lost: use it only for tests and demos"
                )
            }
        case nil:
            break
        }
        return store
    }

    // MARK: retry

    mutating func parseRetry(_ value: JSONValue, at path: JSONPath) -> Configuration.Retry {
        var retry = Configuration.Retry()
        guard let members = object(value, at: path, what: "retry") else { return retry }
        rejectUnknownKeys(members, allowed: ["maxAttempts", "initialDelaySeconds", "maxDelaySeconds"], at: path, context: "in retry")
        if let value = members["maxAttempts"] {
            retry.maxAttempts = integer(value, at: path.appending("maxAttempts"), in: 1...1000, fallback: retry.maxAttempts)
        }
        if let value = members["initialDelaySeconds"] {
            retry.initialDelaySeconds = seconds(
                value,
                at: path.appending("initialDelaySeconds"),
                maximum: 86_400,
                fallback: retry.initialDelaySeconds
            )
        }
        if let value = members["maxDelaySeconds"] {
            retry.maxDelaySeconds = seconds(
                value,
                at: path.appending("maxDelaySeconds"),
                maximum: 30 * 86_400,
                fallback: retry.maxDelaySeconds
            )
        }
        if retry.maxDelaySeconds < retry.initialDelaySeconds {
            error(path.appending("maxDelaySeconds"), "must be at least initialDelaySeconds: raise it or lower initialDelaySeconds")
        }
        return retry
    }

    // MARK: CIDR lists

    mutating func parseCIDRList(_ value: JSONValue, at path: JSONPath, allowsEmpty: Bool) -> [CIDR] {
        guard let elements = array(value, at: path, what: "a list of address ranges like [\"203.0.113.0/24\"]") else {
            return []
        }
        if elements.isEmpty, !allowsEmpty {
            error(path, "is empty, so no address would be allowed: list at least one range, or remove the key")
        }
        var ranges: [CIDR] = []
        for (index, element) in elements.enumerated() {
            let elementPath = path.appending(index: index)
            guard let text = string(element, at: elementPath) else { continue }
            switch CIDR.parse(text) {
            case .success(let cidr): ranges.append(cidr)
            case .failure(let reason): error(elementPath, reason.description)
            }
        }
        return ranges
    }
}

// MARK: - Typed readers

extension ConfigurationParser {
    /// The members of an object, or nil (reported) when `value` is not an object.
    mutating func object(_ value: JSONValue, at path: JSONPath, what: String) -> [String: JSONValue]? {
        guard case .object(let members) = value else {
            error(path, "must be an object, found \(value.typeName): write \(what) as { ... }")
            return nil
        }
        return members
    }

    /// The elements of an array, or nil (reported).
    mutating func array(_ value: JSONValue, at path: JSONPath, what: String) -> [JSONValue]? {
        guard case .array(let elements) = value else {
            error(path, "must be an array, found \(value.typeName): write \(what)")
            return nil
        }
        return elements
    }

    /// A string, or nil (reported). The value itself is never repeated.
    mutating func string(_ value: JSONValue, at path: JSONPath) -> String? {
        guard case .string(let text) = value else {
            error(path, "must be a string, found \(value.typeName): put the value in double quotes")
            return nil
        }
        return text
    }

    /// A non-empty string, or nil (reported).
    mutating func nonEmptyString(_ value: JSONValue, at path: JSONPath, what: String) -> String? {
        guard let text = string(value, at: path) else { return nil }
        guard !text.isEmpty else {
            error(path, "is empty: write \(what)")
            return nil
        }
        return text
    }

    /// A string from a closed vocabulary, or nil (reported with the vocabulary, never the value).
    mutating func enumString(_ value: JSONValue, at path: JSONPath, allowed: [String], what: String) -> String? {
        guard let text = string(value, at: path) else { return nil }
        guard allowed.contains(text) else {
            error(path, "is not \(what): use one of \(allowed.map { "\"\($0)\"" }.joined(separator: ", "))")
            return nil
        }
        return text
    }

    /// A whole number in `range`, or `fallback` (reported).
    mutating func integer(_ value: JSONValue, at path: JSONPath, in range: ClosedRange<Int>, fallback: Int) -> Int {
        guard case .number(_, let integer) = value, let integer, range.contains(integer) else {
            let found = if case .number = value { "" } else { ", found \(value.typeName)" }
            error(path, "must be a whole number from \(range.lowerBound) to \(range.upperBound)\(found): change it to one")
            return fallback
        }
        return integer
    }

    /// A positive number of seconds up to `maximum`, or `fallback` (reported).
    mutating func seconds(_ value: JSONValue, at path: JSONPath, maximum: Double, fallback: Double) -> Double {
        guard case .number(let number, _) = value, number > 0, number <= maximum else {
            let found = if case .number = value { "" } else { ", found \(value.typeName)" }
            error(path, "must be a number of seconds greater than 0 and at most \(Int(maximum))\(found): change it to one")
            return fallback
        }
        return number
    }

    /// A boolean, or `fallback` (reported).
    mutating func bool(_ value: JSONValue, at path: JSONPath, fallback: Bool) -> Bool {
        guard case .bool(let flag) = value else {
            error(path, "must be true or false, found \(value.typeName): write it without quotes")
            return fallback
        }
        return flag
    }

    /// Reports every key of `members` that is not in `allowed` (sorted, so the report is stable).
    mutating func rejectUnknownKeys(_ members: [String: JSONValue], allowed: [String], at path: JSONPath, context: String) {
        for key in members.keys.sorted() where !allowed.contains(key) {
            var message = "unknown key \(context): "
            if let suggestion = Self.closest(to: key, in: allowed) {
                message += "did you mean \"\(suggestion)\"?"
            } else {
                message += "remove it (allowed here: \(allowed.joined(separator: ", ")))"
            }
            error(path.appending(key), message)
        }
    }

    /// The allowed key closest to a misspelt one (same letters ignoring case, or at most 2 edits away).
    static func closest(to key: String, in allowed: [String]) -> String? {
        if let sameCase = allowed.first(where: { $0.lowercased() == key.lowercased() }) { return sameCase }
        let scored = allowed.map { ($0, editDistance(Array(key.lowercased()), Array($0.lowercased()))) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= 2, best.1 < key.count else { return nil }
        return best.0
    }

    /// Levenshtein distance.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            previous = current
        }
        return previous[b.count]
    }
}

// MARK: - Secrets

extension ConfigurationParser {
    /// What became of one secret object.
    enum SecretOutcome {
        /// Resolved to a value.
        case resolved(Secret)
        /// Optional and not set: left out.
        case absent
        /// Wrong (already reported).
        case invalid
    }

    /// Parses a secret object (`{"env": NAME}`, `{"file": PATH}`, `{"value": "literal"}`, with an optional
    /// `"optional": true`) and resolves it; problems are reported at `path` and below.
    mutating func secret(_ value: JSONValue, at path: JSONPath) -> SecretOutcome {
        let example = "{\"env\": \"NAME\"}, {\"file\": \"/path\"} or {\"value\": \"...\"}"
        guard case .object(let members) = value else {
            // Never repeat the value: a secret pasted here by mistake must not reach the report.
            error(path, "must be a secret object, found \(value.typeName): write \(example)")
            return .invalid
        }
        rejectUnknownKeys(members, allowed: ["env", "file", "value", "optional"], at: path, context: "in a secret")
        let sources = ["env", "file", "value"].filter { members[$0] != nil }
        guard sources.count == 1, let sourceKey = sources.first, let sourceValue = members[sourceKey] else {
            error(
                path,
                sources.isEmpty
                    ? "names no secret: write \(example)"
                    : "has \(sources.joined(separator: " and ")): keep exactly one of env, file or value"
            )
            return .invalid
        }
        var isOptional = false
        if let value = members["optional"] {
            isOptional = bool(value, at: path.appending("optional"), fallback: false)
        }
        let sourcePath = path.appending(sourceKey)
        let source: SecretReference.Source
        switch sourceKey {
        case "env":
            guard let name = string(sourceValue, at: sourcePath) else { return .invalid }
            guard Self.isEnvironmentName(name) else {
                error(sourcePath, "is not an environment variable name: use letters, digits and underscores, not starting with a digit")
                return .invalid
            }
            source = .environment(name)
        case "file":
            guard let file = nonEmptyString(sourceValue, at: sourcePath, what: "the path of the file that holds the secret") else {
                return .invalid
            }
            source = .file(file)
        default:
            guard case .string(let literal) = sourceValue else {
                error(sourcePath, "must be a string, found \(sourceValue.typeName): put the secret in double quotes")
                return .invalid
            }
            source = .value(Secret(literal, origin: "value in the config file"))
            if isOptional {
                error(path.appending("optional"), "does not apply to a literal value: remove it")
                return .invalid
            }
        }
        let reference = SecretReference(source, isOptional: isOptional)
        do {
            guard let secret = try reference.resolve(environment: environment, currentDirectory: currentDirectory) else {
                return .absent
            }
            if case .file(let file) = source, reference.isReadableByEveryone(currentDirectory: currentDirectory) {
                warn(sourcePath, "secret file \(file) is readable by every user of this machine: restrict it, like chmod 600")
            }
            if case .value = source {
                warn(
                    sourcePath,
                    "a literal secret in the configuration file is readable by anyone who can read the file:"
                        + " prefer {\"env\": NAME} or {\"file\": PATH}"
                )
            }
            return .resolved(secret)
        } catch {
            self.error(path.appending(error.key), error.description)
            return .invalid
        }
    }

    /// `[A-Za-z_][A-Za-z0-9_]*`.
    static func isEnvironmentName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}
