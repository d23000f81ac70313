import WebhookCore

// MARK: - Entry point

extension Configuration {
    /// The deepest nesting a configuration may have; a real one is a few levels deep, and the limit keeps a
    /// hostile or broken file from exhausting the stack.
    static let maximumDepth = 256

    /// Parses and validates a JSON configuration (docs/reference.md §3), resolving its secrets, and reports every
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
        let document: JSONDocument
        do {
            document = try JSONDocument(parsing: json, maxDepth: maximumDepth)
        } catch {
            let name = if case .file(let file) = source { "configuration file \(file)" } else { "\(source)" }
            let problem = ConfigurationProblem(
                severity: .error,
                path: "",
                message: "\(name) is not valid JSON (\(syntaxErrorDetail(error, json: json))): fix the syntax"
            )
            return ConfigurationLoadResult(source: source, configuration: nil, problems: [problem], warnings: [])
        }
        var reader = ConfigurationReader(
            document: document,
            environment: environment,
            currentDirectory: currentDirectory
        )
        // JSON allows a key twice in one object, and which one counts would be an accident: refuse them all.
        for path in document.duplicateMembers() {
            reader.error(path, "appears twice in the same object, and only one would be used: keep one")
        }
        let configuration = reader.parseDocument()
        return ConfigurationLoadResult(
            source: source,
            configuration: reader.problems.isEmpty ? configuration : nil,
            problems: reader.problems,
            warnings: reader.warnings,
            store: configuration.store
        )
    }

    /// The broken rule and where, as a line and column, without any text of the document.
    private static func syntaxErrorDetail(_ error: JSONError, json: [UInt8]) -> String {
        let (line, column) = error.lineAndColumn(in: json)
        switch error.code {
        case .empty: return "it is empty"
        case .tooDeep: return "nested too deeply, more than \(maximumDepth) levels, at line \(line), column \(column)"
        default: return "\(error.rule) at line \(line), column \(column)"
        }
    }
}

// MARK: - Document

extension ConfigurationReader {
    // MARK: Document

    static let topLevelKeys = [
        "listen", "trustedProxies", "limits", "store", "routes", "handlers", "retry", "logLevel",
    ]

    mutating func parseDocument() -> Configuration {
        let path = JSONPath.root
        var configuration = Configuration()
        guard let members = object(document.root, at: path, what: "the configuration") else { return configuration }
        rejectUnknownKeys(members, allowed: Self.topLevelKeys, at: path, context: "at the top level")

        if let value = members["listen"] {
            configuration.server.readListen(value, at: path.appending("listen"), reader: &self)
        }
        if let value = members["trustedProxies"] {
            configuration.trustedProxies = parseCIDRList(value, at: path.appending("trustedProxies"), allowsEmpty: true)
        }
        if let value = members["limits"] {
            configuration.server.readLimits(value, at: path.appending("limits"), reader: &self)
        }
        if let value = members["store"] {
            configuration.store = Configuration.Store(value, at: path.appending("store"), reader: &self)
        }
        configuration.routes = parseRoutes(members["routes"], at: path.appending("routes"))
        configuration.handlers = Configuration.Handler.readList(
            members["handlers"],
            at: path.appending("handlers"),
            reader: &self
        )
        if let value = members["retry"] {
            configuration.retry = RetryPolicy(value, at: path.appending("retry"), reader: &self)
        }
        if let value = members["logLevel"] {
            let names = Logger.Level.allCases.map(\.name)
            if let name = enumString(value, at: path.appending("logLevel"), allowed: names, what: "a log level") {
                configuration.logLevel = Logger.Level.allCases.first { $0.name == name }
            }
        }
        return configuration
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
