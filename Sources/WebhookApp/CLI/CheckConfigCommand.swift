import Foundation

/// `kyc-webhooks check-config [--config FILE]`: every problem at once with its JSON path; exit 0 or 2.
enum CheckConfigCommand {
    static let help = """
        Usage: kyc-webhooks check-config [--config FILE]

        Loads the configuration exactly as serve would and prints every problem with its JSON path and what
        to change, then warnings. Exit 0 when it is valid, 2 when not. Secrets are never printed.
        """

    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, valueOptions: ["config"])
        if arguments.wantsHelp {
            print(help)
            return 0
        }
        guard arguments.positionals.isEmpty else {
            throw Arguments.UsageError("check-config takes no arguments; see check-config --help.")
        }
        let report = ConfigurationChecker.check(
            path: arguments.value("config"),
            environment: ProcessInfo.processInfo.environment,
            currentDirectory: FileManager.default.currentDirectoryPath
        )
        print(report.text, terminator: report.text.hasSuffix("\n") ? "" : "\n")
        return report.exitCode
    }
}
