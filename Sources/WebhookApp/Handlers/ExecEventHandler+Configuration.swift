import Foundation
import WebhookCore

// An `exec` handler's settings (docs/reference.md §6): `command` and `timeoutSeconds`.

extension ExecEventHandler {
    /// The keys of an `exec` handler besides the common ones.
    static let configurationKeys = ["command", "timeoutSeconds"]

    /// Reads an `exec` handler's settings; nil when they are wrong (reported). An absent `timeoutSeconds`
    /// is ``defaultTimeout``.
    init?(_ members: [String: JSONValue], at path: JSONPath, reader: inout ConfigurationReader) {
        let commandPath = path.appending("command")
        let problemsBefore = reader.problems.count
        var timeout = Self.defaultTimeout
        if let value = members["timeoutSeconds"] {
            timeout = reader.duration(value, at: path.appending("timeoutSeconds"), maximum: 86_400, fallback: timeout)
        }
        guard let value = members["command"] else {
            reader.error(
                commandPath,
                "is missing: add the program and its arguments, like \"command\": [\"/usr/local/bin/activate-account\"]"
            )
            return nil
        }
        let what = "the program and its arguments, like [\"/usr/local/bin/notify\", \"--quiet\"]"
        guard let elements = reader.array(value, at: commandPath, what: what) else { return nil }
        guard !elements.isEmpty else {
            reader.error(
                commandPath,
                "is empty: name the program to run (no shell is used), like [\"/usr/local/bin/activate-account\"]"
            )
            return nil
        }
        var command: [String] = []
        for (index, element) in elements.enumerated() {
            if let argument = reader.string(element, at: commandPath.appending(index: index)) {
                command.append(argument)
            }
        }
        guard command.count == elements.count else { return nil }
        if command[0].isEmpty {
            reader.error(commandPath.appending(index: 0), "is empty: name the program to run")
            return nil
        }
        if command[0].hasPrefix("/"), !FileManager.default.isExecutableFile(atPath: command[0]) {
            reader.warn(
                commandPath.appending(index: 0),
                "\(command[0]) is not an executable file on this machine: deliveries will fail until it is installed"
            )
        }
        guard reader.problems.count == problemsBefore else { return nil }
        self.init(command: command, timeout: timeout)
    }
}
