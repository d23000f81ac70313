import WebhookCore

/// Reads a configuration document, collecting every problem and warning with its JSON path.
///
/// The document is the project's strict JSON reader (``JSONDocument``), so the configuration and the webhook
/// bodies are read by the same code. Each part of the configuration is read beside the type it configures
/// (`FileEventHandler+Configuration.swift`, `RetryPolicy+Configuration.swift`, …) with the typed readers here:
/// every reader reports what it finds wrong and returns a usable default or nil, so one mistake never hides
/// another and one mistake is reported once. No message repeats a value of the document (only key names,
/// variable names and file paths), so a secret written in the wrong place is never echoed.
///
/// ```swift
/// var reader = ConfigurationReader(document: document, environment: environment, currentDirectory: "/")
/// if let members = reader.object(document.root, at: .root, what: "the configuration") { ... }
/// ```
struct ConfigurationReader {
    /// The document being read.
    let document: JSONDocument
    /// The process environment, for `{"env": NAME}` secrets.
    let environment: [String: String]
    /// Where relative `{"file": PATH}` secrets are read from.
    let currentDirectory: String
    /// Every error so far, in the order found.
    private(set) var problems: [ConfigurationProblem] = []
    /// Every warning so far.
    private(set) var warnings: [ConfigurationProblem] = []

    /// - Parameters:
    ///   - document: the parsed configuration document.
    ///   - environment: the process environment (a parameter, never read implicitly).
    ///   - currentDirectory: the directory relative file paths start from.
    init(document: JSONDocument, environment: [String: String], currentDirectory: String) {
        self.document = document
        self.environment = environment
        self.currentDirectory = currentDirectory
    }

    // MARK: Reporting

    /// Records an error at `path`: one sentence saying what to change, with no value from the document.
    mutating func error(_ path: JSONPath, _ message: String) {
        problems.append(ConfigurationProblem(severity: .error, path: path.description, message: message))
    }

    /// Records a warning at `path`.
    mutating func warn(_ path: JSONPath, _ message: String) {
        warnings.append(ConfigurationProblem(severity: .warning, path: path.description, message: message))
    }

    // MARK: Looking without reporting

    /// The JSON type's name, for messages (`a string`, `an object`).
    func typeName(of value: JSONValue) -> String {
        switch document.kind(of: value) {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .boolean: return "a boolean"
        case .null: return "null"
        }
    }

    /// The string member `key` of `value` when `value` is an object that has one, else nil; reports nothing
    /// (for checks across siblings, such as repeated route paths).
    func peekString(_ key: String, in value: JSONValue) -> String? {
        // A repeated key is reported once by the document check; here it simply reads as absent.
        guard let member = try? document.member(named: key, of: value) else { return nil }
        return document.string(member)
    }
}

// MARK: - Typed readers

extension ConfigurationReader {
    /// The members of an object by name, or nil (reported) when `value` is not an object.
    ///
    /// A name that appears twice is reported for the whole document before anything is read, and the first
    /// occurrence is the one read here.
    mutating func object(_ value: JSONValue, at path: JSONPath, what: String) -> [String: JSONValue]? {
        guard document.kind(of: value) == .object else {
            error(path, "must be an object, found \(typeName(of: value)): write \(what) as { ... }")
            return nil
        }
        var members: [String: JSONValue] = [:]
        for (name, member) in document.members(of: value) where members[name] == nil {
            members[name] = member
        }
        return members
    }

    /// The elements of an array, or nil (reported).
    mutating func array(_ value: JSONValue, at path: JSONPath, what: String) -> [JSONValue]? {
        guard document.kind(of: value) == .array else {
            error(path, "must be an array, found \(typeName(of: value)): write \(what)")
            return nil
        }
        return document.elements(of: value)
    }

    /// A string, or nil (reported). The value itself is never repeated.
    mutating func string(_ value: JSONValue, at path: JSONPath) -> String? {
        guard let text = document.string(value) else {
            error(path, "must be a string, found \(typeName(of: value)): put the value in double quotes")
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

    /// A value of a `String`-backed enum, or nil (reported with every case).
    mutating func enumValue<T: RawRepresentable & CaseIterable>(
        _ value: JSONValue,
        at path: JSONPath,
        what: String
    ) -> T? where T.RawValue == String {
        enumString(value, at: path, allowed: T.allCases.map(\.rawValue), what: what).flatMap(T.init(rawValue:))
    }

    /// A whole number in `range`, or `fallback` (reported). `8080.0` is a whole number; `80.5` is not.
    mutating func integer(_ value: JSONValue, at path: JSONPath, in range: ClosedRange<Int>, fallback: Int) -> Int {
        guard let integer = document.integer(value), range.contains(integer) else {
            let found = document.kind(of: value) == .number ? "" : ", found \(typeName(of: value))"
            error(
                path,
                "must be a whole number from \(range.lowerBound) to \(range.upperBound)\(found): change it to one"
            )
            return fallback
        }
        return integer
    }

    /// A positive number of seconds up to `maximum`, or `fallback` (reported).
    mutating func seconds(_ value: JSONValue, at path: JSONPath, maximum: Double, fallback: Double) -> Double {
        guard let number = document.double(value), number > 0, number <= maximum else {
            let found = document.kind(of: value) == .number ? "" : ", found \(typeName(of: value))"
            error(
                path,
                "must be a number of seconds greater than 0 and at most \(Int(maximum))\(found): change it to one"
            )
            return fallback
        }
        return number
    }

    /// A positive number of seconds up to `maximum` as a `Duration` (to the millisecond), or `fallback`
    /// (reported).
    mutating func duration(_ value: JSONValue, at path: JSONPath, maximum: Double, fallback: Duration) -> Duration {
        let before = problems.count
        let number = seconds(value, at: path, maximum: maximum, fallback: 0)
        return problems.count == before ? .milliseconds(Int64((number * 1000).rounded())) : fallback
    }

    /// A boolean, or `fallback` (reported).
    mutating func bool(_ value: JSONValue, at path: JSONPath, fallback: Bool) -> Bool {
        guard let flag = document.bool(value) else {
            error(path, "must be true or false, found \(typeName(of: value)): write it without quotes")
            return fallback
        }
        return flag
    }

    /// Reports every key of `members` that is not in `allowed` (sorted, so the report is stable).
    mutating func rejectUnknownKeys(
        _ members: [String: JSONValue],
        allowed: [String],
        at path: JSONPath,
        context: String
    ) {
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
