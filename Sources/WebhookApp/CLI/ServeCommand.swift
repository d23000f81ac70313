import Dispatch
import Foundation
import WebhookHTTP

#if canImport(Glibc)
    import Glibc
#endif

/// `kyc-webhooks serve [--config FILE]`: runs the daemon until SIGTERM/SIGINT, then drains and exits 0.
enum ServeCommand {
    static let help = """
        Usage: kyc-webhooks serve [--config FILE]

        Runs the daemon: listens, verifies and records webhooks, runs the handlers. SIGTERM or SIGINT stop
        accepting, finish in-flight requests, give running deliveries a deadline, close the store, exit 0.
        Without --config, ./config.json is used if present, else the built-in defaults (which need
        GU1_WEBHOOK_SECRET in the environment).
        """

    static func run(_ words: [String]) async throws -> Int32 {
        let arguments = try Arguments(words, valueOptions: ["config"])
        if arguments.wantsHelp {
            print(help)
            return 0
        }
        guard arguments.positionals.isEmpty else {
            throw Arguments.UsageError("serve takes no arguments; see serve --help.")
        }
        let configuration = try ConfigurationOption.load(arguments)
        let logger = Logger.standardError(label: "kyc-webhooks", logLevel: configuration.logLevel ?? .info)

        signal(SIGPIPE, SIG_IGN)
        // Read once, then removed so that exec handlers' commands do not inherit it.
        let notifier = SystemdNotifier(notifySocket: ProcessInfo.processInfo.environment["NOTIFY_SOCKET"])
        unsetenv("NOTIFY_SOCKET")
        let app: Application
        do {
            app = try Application(configuration: configuration, logger: logger)
            try app.start()
        } catch let error as StartupError {
            throw CommandFailure.runtime(error.description)
        }
        // Signals through Dispatch sources (CONTRIBUTING.md rule 25): ignore the default action, then observe.
        let signalQueue = DispatchQueue(label: "kyc-webhooks.signals")
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: signalQueue)
            source.setEventHandler {
                logger.info(
                    "signal received; shutting down",
                    metadata: ["signal": number == SIGTERM ? "SIGTERM" : "SIGINT"]
                )
                notifier?.notify("STOPPING=1")
                app.shutdown()
            }
            source.resume()
            sources.append(source)
        }
        let host =
            configuration.server.host.contains(":") ? "[\(configuration.server.host)]" : configuration.server.host
        // Written straight to fd 1 so it is out at once even when stdout is a pipe (tests, systemd).
        FileHandle.standardOutput.write(
            Data("kyc-webhooks \(CommandLineTool.version) listening on http://\(host):\(app.port)\n".utf8)
        )
        let ready = "READY=1\nSTATUS=listening on http://\(host):\(app.port)\nMAINPID=\(getpid())"
        if let failure = notifier?.notify(ready) {
            logger.warning("could not tell systemd the daemon is ready", metadata: ["errno": "\(failure)"])
        }
        try await app.run()
        for source in sources { source.cancel() }
        return 0
    }
}

/// `--config FILE` loading shared by the commands: docs/reference.md §2 order, warnings to stderr, problems exit 2.
enum ConfigurationOption {
    static func load(_ arguments: Arguments) throws -> Configuration {
        let result = Configuration.load(
            path: arguments.value("config"),
            environment: ProcessInfo.processInfo.environment,
            currentDirectory: FileManager.default.currentDirectoryPath
        )
        for warning in result.warnings {
            FileHandle.standardError.write(Data("kyc-webhooks: warning: \(warning.description)\n".utf8))
        }
        guard result.isValid, let configuration = result.configuration else {
            let report = ConfigurationChecker.report(for: result)
            FileHandle.standardError.write(Data(report.text.utf8))
            if !report.text.hasSuffix("\n") { FileHandle.standardError.write(Data("\n".utf8)) }
            throw CommandFailure.usage(
                "The configuration has problems; fix them (kyc-webhooks check-config lists them)."
            )
        }
        return configuration
    }
}
