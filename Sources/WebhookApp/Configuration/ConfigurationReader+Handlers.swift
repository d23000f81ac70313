import Foundation
import WebhookCore

// Parsing of `handlers` (SPEC §6): names, types and their keys, and `match`.

extension ConfigurationReader {
    static let commonHandlerKeys = ["name", "type", "match", "concurrency"]
    static let handlerKeysByType: [String: [String]] = [
        "log": ["stream"],
        "file": ["path"],
        "exec": ["command", "timeoutSeconds"],
        "http": ["url", "timeoutSeconds", "signingSecret"],
    ]
    static let handlerTypes = ["log", "file", "exec", "http"]

    /// The event type families the senders document (SPEC §1, §5): a type is `<family>.<name>`.
    static let knownTypeFamilies = ["kyc", "biometric", "entity", "rule", "transaction", "alert", "argos"]

    /// The default when `handlers` is absent: one `log` handler to stdout, as the built-in defaults.
    static let defaultHandlers = [Configuration.Handler(name: "log", kind: .log(.stdout))]

    mutating func parseHandlers(_ value: JSONValue?, at path: JSONPath) -> [Configuration.Handler] {
        guard let value else { return Self.defaultHandlers }
        guard let elements = array(value, at: path, what: "a list of handlers") else { return [] }
        if elements.isEmpty {
            warn(path, "is empty: events are recorded but nothing acts on them; add a handler, or remove the key for the default log handler")
        }
        var handlers: [Configuration.Handler] = []
        var namesSeen: [String: Int] = [:]
        for (index, element) in elements.enumerated() {
            let handlerPath = path.appending(index: index)
            if let name = peekString("name", in: element), Self.isHandlerName(name) {
                if let first = namesSeen[name] {
                    error(handlerPath.appending("name"), "repeats the name of handlers[\(first)]: give each handler its own name")
                } else {
                    namesSeen[name] = index
                }
            }
            if let handler = parseHandler(element, at: handlerPath) { handlers.append(handler) }
        }
        return handlers
    }

    private mutating func parseHandler(_ value: JSONValue, at path: JSONPath) -> Configuration.Handler? {
        guard let members = object(value, at: path, what: "a handler") else { return nil }
        let problemsBefore = problems.count

        var name: String?
        if let value = members["name"] {
            if let text = string(value, at: path.appending("name")) {
                if Self.isHandlerName(text) {
                    name = text
                } else {
                    error(path.appending("name"), "must be 1 to 64 letters, digits, -, _ or .: rename the handler")
                }
            }
        } else {
            error(path.appending("name"), "is missing: add a unique name, like \"name\": \"audit\"")
        }

        var type: String?
        if let value = members["type"] {
            type = enumString(value, at: path.appending("type"), allowed: Self.handlerTypes, what: "a handler type")
        } else {
            error(path.appending("type"), "is missing: add \"type\": one of \"log\", \"file\", \"exec\", \"http\"")
        }
        if let type {
            rejectUnknownKeys(
                members,
                allowed: Self.commonHandlerKeys + (Self.handlerKeysByType[type] ?? []),
                at: path,
                context: "for a \(type) handler"
            )
        } else {
            let allKeys = Self.commonHandlerKeys + Self.handlerKeysByType.values.flatMap { $0 }
            rejectUnknownKeys(members, allowed: Array(Set(allKeys)).sorted(), at: path, context: "in a handler")
        }

        var match: Configuration.Match?
        if let value = members["match"] { match = parseMatch(value, at: path.appending("match")) }
        var concurrency = 4
        if let value = members["concurrency"] {
            concurrency = integer(value, at: path.appending("concurrency"), in: 1...1024, fallback: concurrency)
        }

        let kind: Configuration.Kind?
        switch type {
        case "log": kind = parseLogKind(members, at: path)
        case "file": kind = parseFileKind(members, at: path)
        case "exec": kind = parseExecKind(members, at: path)
        case "http": kind = parseHTTPKind(members, at: path)
        default: kind = nil
        }
        guard let name, let kind, problems.count == problemsBefore else { return nil }
        return Configuration.Handler(name: name, kind: kind, match: match, concurrency: concurrency)
    }

    // MARK: Types

    private mutating func parseLogKind(_ members: [String: JSONValue], at path: JSONPath) -> Configuration.Kind? {
        var stream = Configuration.LogStream.stdout
        if let value = members["stream"] {
            let names = Configuration.LogStream.allCases.map(\.rawValue)
            guard let name = enumString(value, at: path.appending("stream"), allowed: names, what: "a stream"),
                let parsed = Configuration.LogStream(rawValue: name)
            else { return nil }
            stream = parsed
        }
        return .log(stream)
    }

    private mutating func parseFileKind(_ members: [String: JSONValue], at path: JSONPath) -> Configuration.Kind? {
        guard let value = members["path"] else {
            error(path.appending("path"), "is missing: add the file events are appended to, like \"path\": \"data/events.jsonl\"")
            return nil
        }
        guard let file = nonEmptyString(value, at: path.appending("path"), what: "the file events are appended to") else { return nil }
        return .file(path: file)
    }

    private mutating func parseExecKind(_ members: [String: JSONValue], at path: JSONPath) -> Configuration.Kind? {
        let commandPath = path.appending("command")
        let timeout = timeoutSeconds(members, at: path, fallback: 30)
        guard let value = members["command"] else {
            error(commandPath, "is missing: add the program and its arguments, like \"command\": [\"/usr/local/bin/activate-account\"]")
            return nil
        }
        guard let elements = array(value, at: commandPath, what: "the program and its arguments, like [\"/usr/local/bin/notify\", \"--quiet\"]")
        else { return nil }
        guard !elements.isEmpty else {
            error(commandPath, "is empty: name the program to run (no shell is used), like [\"/usr/local/bin/activate-account\"]")
            return nil
        }
        var command: [String] = []
        for (index, element) in elements.enumerated() {
            if let argument = string(element, at: commandPath.appending(index: index)) { command.append(argument) }
        }
        guard command.count == elements.count else { return nil }
        if command[0].isEmpty {
            error(commandPath.appending(index: 0), "is empty: name the program to run")
            return nil
        }
        if command[0].hasPrefix("/"), !FileManager.default.isExecutableFile(atPath: command[0]) {
            warn(
                commandPath.appending(index: 0),
                "\(command[0]) is not an executable file on this machine: deliveries will fail until it is installed"
            )
        }
        guard let timeout else { return nil }
        return .exec(Configuration.Exec(command: command, timeoutSeconds: timeout))
    }

    private mutating func parseHTTPKind(_ members: [String: JSONValue], at path: JSONPath) -> Configuration.Kind? {
        let urlPath = path.appending("url")
        let timeout = timeoutSeconds(members, at: path, fallback: 10)
        var signingSecret: Secret?
        var isValid = true
        if let value = members["signingSecret"] {
            switch secret(value, at: path.appending("signingSecret")) {
            case .resolved(let secret):
                signingSecret = secret
            case .absent:
                warn(path.appending("signingSecret"), "is optional and not set, so this handler's requests are sent unsigned")
            case .invalid:
                isValid = false
            }
        }
        guard let value = members["url"] else {
            error(urlPath, "is missing: add the endpoint to POST events to, like \"url\": \"https://crm.example.com/kyc\"")
            return nil
        }
        guard let text = string(value, at: urlPath) else { return nil }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            error(urlPath, "is not an http or https URL: write it like \"https://crm.example.com/kyc\"")
            return nil
        }
        if components.user != nil || components.password != nil {
            error(urlPath, "contains credentials, which would end up in logs and process listings: remove them and use signingSecret")
            return nil
        }
        guard let timeout, isValid else { return nil }
        return .http(Configuration.HTTP(url: text, timeoutSeconds: timeout, signingSecret: signingSecret))
    }

    /// The `timeoutSeconds` of an exec or http handler: nil when it is wrong (reported).
    private mutating func timeoutSeconds(_ members: [String: JSONValue], at path: JSONPath, fallback: Double) -> Double? {
        guard let value = members["timeoutSeconds"] else { return fallback }
        let before = problems.count
        let seconds = seconds(value, at: path.appending("timeoutSeconds"), maximum: 86_400, fallback: fallback)
        return problems.count == before ? seconds : nil
    }

    // MARK: match

    private mutating func parseMatch(_ value: JSONValue, at path: JSONPath) -> Configuration.Match? {
        guard let members = object(value, at: path, what: "match, like {\"outcomes\": [\"approved\"]}") else { return nil }
        rejectUnknownKeys(members, allowed: ["types", "sources", "outcomes"], at: path, context: "in match")
        var match = Configuration.Match()
        if let value = members["types"] {
            match.types = stringList(value, at: path.appending("types"), what: "event type globs like [\"kyc.*\"]") { text, elementPath, parser in
                parser.checkTypeGlob(text, at: elementPath)
            }
        }
        if let value = members["sources"] {
            let what = "sources like [\"gu1.kyc\", \"argos\"]"
            match.sources = stringList(value, at: path.appending("sources"), what: what) { text, elementPath, parser in
                parser.checkSource(text, at: elementPath)
            }
        }
        if let value = members["outcomes"] {
            let names = stringList(value, at: path.appending("outcomes"), what: "outcomes like [\"approved\"]") { text, elementPath, parser in
                guard Outcome(rawValue: text) == nil else { return true }
                parser.error(
                    elementPath,
                    "is not an outcome, so this handler would never match: use one of \(Outcome.allCases.map(\.rawValue).joined(separator: ", "))"
                )
                return false
            }
            match.outcomes = names?.compactMap(Outcome.init(rawValue:))
        }
        if let types = match.types, let sources = match.sources, !types.isEmpty, !sources.isEmpty {
            let compatible = types.contains { glob in sources.contains { Self.glob(glob, canMatchSource: $0) } }
            if !compatible {
                warn(path, "no type in types can come from a source in sources, so this handler never matches: align the two lists")
            }
        }
        return match
    }

    /// A non-empty list of strings, each checked by `check` (which reports); nil when the key is wrong.
    private mutating func stringList(
        _ value: JSONValue,
        at path: JSONPath,
        what: String,
        check: (String, JSONPath, inout ConfigurationReader) -> Bool
    ) -> [String]? {
        guard let elements = array(value, at: path, what: what) else { return nil }
        guard !elements.isEmpty else {
            error(path, "is empty, so this handler would never match: list at least one value, or remove the key to match any")
            return nil
        }
        var list: [String] = []
        for (index, element) in elements.enumerated() {
            let elementPath = path.appending(index: index)
            guard let text = string(element, at: elementPath) else { continue }
            if check(text, elementPath, &self) { list.append(text) }
        }
        return list
    }

    /// Types are `<family>.<name>`; `*` matches any run of characters. Unknown families are a warning only
    /// (Gu1 may add families); a pattern that no type can match is an error.
    private mutating func checkTypeGlob(_ glob: String, at path: JSONPath) -> Bool {
        let isWellFormed =
            !glob.isEmpty
            && glob.unicodeScalars.allSatisfy { $0 == "*" || Self.isUnreserved($0) }
        guard isWellFormed else {
            error(path, "is not an event type pattern: use letters, digits, _, -, . and * (like \"kyc.*\" or \"argos.approved\")")
            return false
        }
        guard glob.contains("*") || glob.contains(".") else {
            error(path, "is not an event type (they look like family.name): write \"kyc.validation_approved\" or a glob like \"kyc.*\"")
            return false
        }
        if !Self.knownTypeFamilies.contains(where: { Self.glob(glob, canMatchFamily: $0) }) {
            warn(
                path,
                "matches no known event family (\(Self.knownTypeFamilies.joined(separator: ", "))):"
                    + " check the spelling, or ignore this if the sender added a family"
            )
        }
        return true
    }

    /// Sources are exact: `argos` or `gu1.<family>`.
    private mutating func checkSource(_ source: String, at path: JSONPath) -> Bool {
        if source == "argos" { return true }
        if source.hasPrefix("gu1.") {
            let family = source.dropFirst(4)
            if !family.isEmpty, family.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || $0 == "_" }) { return true }
        }
        error(
            path,
            "is not a source, so this handler would never match: use gu1.kyc, gu1.biometric, gu1.entity, gu1.rule,"
                + " gu1.transaction, gu1.alert or argos (exact names; use types for globs)"
        )
        return false
    }

    /// Whether a type glob can match some type `<family>.<anything>`, judged on its text before the first `*`.
    static func glob(_ glob: String, canMatchFamily family: String) -> Bool {
        let literal = glob.prefix { $0 != "*" }
        let familyPrefix = family + "."
        if literal.count == glob.count { return glob.hasPrefix(familyPrefix) && glob.count > familyPrefix.count }
        return literal.hasPrefix(familyPrefix) || familyPrefix.hasPrefix(literal)
    }

    /// Whether a type glob can match a type that `source` sends (`argos` sends `argos.*`, `gu1.x` sends `x.*`).
    static func glob(_ glob: String, canMatchSource source: String) -> Bool {
        let family = source == "argos" ? "argos" : String(source.dropFirst(4))
        return Self.glob(glob, canMatchFamily: family)
    }

    /// 1 to 64 of letters, digits, `-`, `_`, `.`.
    static func isHandlerName(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.unicodeScalars.allSatisfy { isUnreserved($0) && $0 != "~" }
    }
}
