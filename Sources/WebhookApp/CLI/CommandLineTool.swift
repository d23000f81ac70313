import Foundation

/// The `kyc-webhooks` command line (docs/reference.md §2). `main.swift` only calls ``run(_:)``.
///
/// Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error. Errors go to stderr as one
/// plain sentence that names the thing to fix.
public enum CommandLineTool {
    /// The version printed by `kyc-webhooks version` and exposed as `kyc_webhooks_build_info`.
    public static let version = "0.1.0"

    /// Runs the command named by `arguments` (without the program name) and returns the exit code.
    public static func run(_ arguments: [String]) async -> Int32 {
        guard let command = arguments.first else {
            printError("No command given.\n\n" + usage)
            return 2
        }
        let rest = Array(arguments.dropFirst())
        do {
            switch command {
            case "serve": return try await ServeCommand.run(rest)
            case "check-config": return try CheckConfigCommand.run(rest)
            case "sign": return try SignCommand.run(rest)
            case "send": return try await SendCommand.run(rest)
            case "events": return try await EventsCommand.run(rest)
            case "replay": return try await ReplayCommand.run(rest)
            case "subjects": return try await SubjectsCommand.run(rest)
            case "store": return try StoreCommand.run(rest)
            case "version", "--version":
                print("kyc-webhooks \(version)")
                return 0
            case "help", "--help", "-h":
                print(usage)
                return 0
            default:
                printError("Unknown command '\(command)'.\n\n" + usage)
                return 2
            }
        } catch let error as Arguments.UsageError {
            printError(error.description)
            return 2
        } catch let error as CommandFailure {
            printError(error.message)
            return error.exitCode
        } catch {
            printError("\(command): \(error)")
            return 1
        }
    }

    static let usage = """
        Usage: kyc-webhooks COMMAND [OPTIONS]

        Commands:
          serve [--config FILE]                       run the daemon until SIGTERM/SIGINT, then drain and exit 0
          check-config [--config FILE]                validate the configuration; print every problem (exit 0 or 2)
          sign (--secret S | --secret-env NAME) [FILE]
                                                      print the lowercase hex HMAC-SHA256 of FILE (or stdin)
          send EVENT --url URL [--secret S | --secret-env NAME] [--file BODY]
                                                      post a built-in sample of EVENT (or BODY), signed; print the response
          events list [FILTERS] [--status S] [--limit N] [--json] [--config FILE]
                                                      list recorded events, newest first (events --help: filters)
          events show KEY [--config FILE]             one event with its deliveries, attempts and last errors
          subjects show ID [--config FILE]            one subject's events in occurredAt order, with stale flags
          replay KEY [--handler NAME] [--config FILE] queue an event's dead deliveries (or one handler's) again
          replay --dead [--config FILE]               queue every dead delivery again
          replay FILTERS --since T [--handler NAME] [--pace N] [--dry-run] [--config FILE]
                                                      queue the matching events' deliveries again, paced
          store copy --to-config FILE [--config FILE] copy this sqlite store's history into FILE's postgres store
          version                                     print the version

        Without --config, ./config.json is used if present, else the built-in defaults.
        Run 'kyc-webhooks COMMAND --help' for one command.
        """

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data(("kyc-webhooks: " + message + "\n").utf8))
    }
}

/// A command's failure with its exit code and one sentence for stderr.
struct CommandFailure: Error {
    var message: String
    var exitCode: Int32

    static func usage(_ message: String) -> CommandFailure { CommandFailure(message: message, exitCode: 2) }
    static func runtime(_ message: String) -> CommandFailure { CommandFailure(message: message, exitCode: 1) }
}
