/// One thing wrong (or worth a warning) in a configuration, with where it is and what to change.
///
/// The message is one sentence that says what to change. It never repeats a value from the configuration,
/// only key names, environment variable names and file paths, so no secret can appear in it (docs/reference.md §7).
public struct ConfigurationProblem: Sendable, Equatable, CustomStringConvertible {
    /// Whether the configuration can still be used.
    public enum Severity: String, Sendable, Equatable {
        /// The configuration is refused (`check-config` exits 2, `serve` does not start).
        case error
        /// The configuration runs, but an operator should know (a literal secret, no signature check).
        case warning
    }

    /// Error or warning.
    public var severity: Severity
    /// The JSON path of the offending value, like `$.routes[1].token.env`; empty when the problem is about
    /// the configuration file as a whole (not found, not JSON).
    public var path: String
    /// One sentence saying what is wrong and what to change.
    public var message: String

    /// - Parameters:
    ///   - severity: error or warning.
    ///   - path: JSON path, or empty for the whole file.
    ///   - message: one sentence, with no value from the configuration.
    public init(severity: Severity, path: String, message: String) {
        self.severity = severity
        self.path = path
        self.message = message
    }

    /// `$.path: message`, or the message alone when there is no path.
    public var description: String {
        path.isEmpty ? message : "\(path): \(message)"
    }
}

/// What loading a configuration produced: the configuration when it is valid, and every problem at once.
public struct ConfigurationLoadResult: Sendable {
    /// Where the configuration came from (docs/reference.md §2 loading order).
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        /// A file (the `--config` argument or `./config.json`), as the path was given.
        case file(String)
        /// No file: the built-in defaults of docs/reference.md §3.
        case builtInDefaults
        /// JSON text given to ``Configuration/parse(json:environment:currentDirectory:)``.
        case text

        /// The file's path, `the built-in defaults` or `the configuration`.
        public var description: String {
            switch self {
            case .file(let path): return path
            case .builtInDefaults: return "the built-in defaults"
            case .text: return "the configuration"
            }
        }
    }

    /// Where the configuration came from.
    public var source: Source
    /// The configuration, nil when there is at least one error.
    public var configuration: Configuration?
    /// Every error found (severity `error`), in document order.
    public var problems: [ConfigurationProblem]
    /// Every warning (severity `warning`): the configuration runs, but an operator should read them.
    public var warnings: [ConfigurationProblem]
    /// The `store` section as parsed, even when other sections have errors (nil when the document could not be
    /// read or parsed as JSON): for the CLI commands that need only the store. Check ``problems`` under
    /// `$.store` before using it.
    public var store: Configuration.Store?

    /// - Parameters:
    ///   - source: where the configuration came from.
    ///   - configuration: the configuration, nil when there are errors.
    ///   - problems: the errors.
    ///   - warnings: the warnings.
    ///   - store: the `store` section as parsed, whatever the other sections' problems.
    public init(
        source: Source,
        configuration: Configuration?,
        problems: [ConfigurationProblem],
        warnings: [ConfigurationProblem],
        store: Configuration.Store? = nil
    ) {
        self.source = source
        self.configuration = configuration
        self.problems = problems
        self.warnings = warnings
        self.store = store
    }

    /// True when there is no error (warnings allowed).
    public var isValid: Bool { problems.isEmpty && configuration != nil }
}
