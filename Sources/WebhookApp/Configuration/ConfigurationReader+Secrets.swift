import WebhookCore

// MARK: - Secrets

extension ConfigurationReader {
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
        guard document.kind(of: value) == .object, let members = object(value, at: path, what: "a secret") else {
            // Never repeat the value: a secret pasted here by mistake must not reach the report.
            error(path, "must be a secret object, found \(typeName(of: value)): write \(example)")
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
                error(
                    sourcePath,
                    "is not an environment variable name: use letters, digits and underscores, not starting with a digit"
                )
                return .invalid
            }
            source = .environment(name)
        case "file":
            guard
                let file = nonEmptyString(
                    sourceValue,
                    at: sourcePath,
                    what: "the path of the file that holds the secret"
                )
            else {
                return .invalid
            }
            source = .file(file)
        default:
            guard let literal = document.string(sourceValue) else {
                error(
                    sourcePath,
                    "must be a string, found \(typeName(of: sourceValue)): put the secret in double quotes"
                )
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
            guard let secret = try reference.resolve(environment: environment, currentDirectory: currentDirectory)
            else {
                return .absent
            }
            if case .file(let file) = source, reference.isReadableByEveryone(currentDirectory: currentDirectory) {
                warn(
                    sourcePath,
                    "secret file \(file) is readable by every user of this machine: restrict it, like chmod 600"
                )
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
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else {
            return false
        }
        return name.unicodeScalars.allSatisfy {
            $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
        }
    }
}
