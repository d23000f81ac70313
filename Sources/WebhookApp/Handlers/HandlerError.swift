import Glibc

/// Why a built-in handler's attempt failed. The description lands in the delivery's last error (`events show`).
///
/// Descriptions name the operation, the configured path, command or URL, and the OS detail; never a secret, and
/// never an event value. A command's own output and an HTTP receiver's response are the one exception, quoted
/// (bounded) because that is what an operator needs to fix the handler.
public struct HandlerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, for tests and metrics.
    public enum Kind: String, Sendable, Equatable {
        /// A file operation of the `file` or `log` handler failed.
        case io
        /// The `exec` command could not be started.
        case spawn
        /// The `exec` command exited with a non-zero status.
        case exitStatus
        /// The `exec` command was ended by a signal it did not get from us.
        case signal
        /// The command or the request took longer than `timeoutSeconds`.
        case timeout
        /// The `http` receiver answered with a status outside 2xx.
        case httpStatus
        /// The `http` request failed before a response (connection refused, DNS, TLS).
        case transport
        /// The handler's own settings are unusable (an empty command, a malformed signing secret).
        case configuration
    }

    public let kind: Kind
    /// The exit status or HTTP status, when there is one.
    public let status: Int?
    private let message: String

    init(_ kind: Kind, status: Int? = nil, message: String) {
        self.kind = kind
        self.status = status
        self.message = message
    }

    public var description: String { message }

    /// `errno` as text: `"No such file or directory (errno: 2)"`.
    static func describe(errno code: Int32) -> String {
        "\(String(cString: strerror(code))) (errno: \(code))"
    }
}
