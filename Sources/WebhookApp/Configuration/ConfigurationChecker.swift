import WebhookHTTP

/// The `check-config` command's report (docs/reference.md §2): every problem with its JSON path, then a verdict.
///
/// The CLI prints ``ConfigurationReport/text`` and exits with ``ConfigurationReport/exitCode``:
///
/// ```text
/// checking config.json
/// error: $.routes[1].token.env: environment variable ARGOS_WEBHOOK_TOKEN is not set: export it before starting, ...
/// warning: $.store.kind: the memory store keeps nothing across a restart, ...
/// 1 problem
/// ```
///
/// A valid configuration ends with a short summary (listener, store, routes, handlers; never a secret)
/// and the line `configuration OK`.
public enum ConfigurationChecker {
    /// Loads the configuration as `serve` would (docs/reference.md §2 order) and reports on it.
    ///
    /// - Parameters:
    ///   - path: the `--config` argument, or nil.
    ///   - environment: the process environment.
    ///   - currentDirectory: where `config.json` and relative paths are looked up.
    /// - Returns: the report text and the exit code (0 valid, 2 invalid).
    public static func check(
        path: String?,
        environment: [String: String],
        currentDirectory: String
    ) -> ConfigurationReport {
        report(for: Configuration.load(path: path, environment: environment, currentDirectory: currentDirectory))
    }

    /// The report for an already loaded configuration.
    ///
    /// - Parameters:
    ///   - result: what ``Configuration/load(path:environment:currentDirectory:)`` returned.
    /// - Returns: the report text and the exit code (0 valid, 2 invalid).
    public static func report(for result: ConfigurationLoadResult) -> ConfigurationReport {
        var lines: [String] = []
        switch result.source {
        case .file(let file): lines.append("checking \(file)")
        case .builtInDefaults: lines.append("checking the built-in defaults (no --config and no ./config.json)")
        case .text: lines.append("checking the configuration")
        }
        for problem in result.problems { lines.append("error: \(problem)") }
        for warning in result.warnings { lines.append("warning: \(warning)") }
        if let configuration = result.configuration, result.problems.isEmpty {
            lines.append(contentsOf: summary(of: configuration))
            lines.append("configuration OK")
            return ConfigurationReport(text: lines.joined(separator: "\n") + "\n", exitCode: 0)
        }
        let count = max(result.problems.count, 1)
        lines.append(count == 1 ? "1 problem" : "\(count) problems")
        return ConfigurationReport(text: lines.joined(separator: "\n") + "\n", exitCode: 2)
    }

    /// One line per part of a valid configuration, with counts instead of secrets.
    static func summary(of configuration: Configuration) -> [String] {
        var lines = ["listen \(configuration.server.host):\(configuration.server.port)"]
        switch configuration.store.kind {
        case .sqlite: lines.append("store sqlite \(configuration.store.path)")
        case .memory: lines.append("store memory")
        case .postgres: lines.append("store postgres (url from \(configuration.store.url?.origin ?? "nowhere"))")
        }
        for route in configuration.routes {
            switch route.sender {
            case .gu1(let gu1):
                let signature = gu1.requireSignature ? "signature required" : "signature NOT required"
                let count = gu1.secrets.count == 1 ? "1 secret" : "\(gu1.secrets.count) secrets"
                lines.append("route \(route.path) gu1 (\(count), \(signature))")
            case .argos(let argos):
                var methods: [String] = []
                if argos.token != nil { methods.append("token") }
                if argos.decryption != nil { methods.append("decrypt") }
                if let ranges = argos.allowFrom {
                    methods.append("allowFrom \(ranges.count) range\(ranges.count == 1 ? "" : "s")")
                }
                lines.append("route \(route.path) argos (\(methods.joined(separator: ", ")))")
            }
        }
        for handler in configuration.handlers {
            lines.append(
                "handler \(handler.name) \(handler.kind.typeName)\(handler.match == nil ? " (every event)" : "")"
            )
        }
        return lines
    }
}

/// What `check-config` prints and how it exits.
public struct ConfigurationReport: Sendable, Equatable {
    /// The report, one line per problem or warning, newline-terminated; never contains a secret.
    public var text: String
    /// 0 when the configuration is valid (warnings allowed), 2 when it has a problem (docs/reference.md §2).
    public var exitCode: Int32

    /// - Parameters:
    ///   - text: the report.
    ///   - exitCode: 0 or 2.
    public init(text: String, exitCode: Int32) {
        self.text = text
        self.exitCode = exitCode
    }
}
