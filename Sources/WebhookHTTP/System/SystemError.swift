import Glibc

/// A failed system call: the operation that failed and the `errno` it set.
///
/// The description is one sentence in the style of SwiftNIO's `IOError`, e.g.
/// `"accept4: Too many open files (errno: 24)"`. It never contains payload bytes or addresses.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `errno` value the call set.
    public var errno: Int32
    /// The name of the call that failed (`bind`, `accept4`, `epoll_wait`).
    public var operation: String

    public init(errno: Int32, operation: String) {
        self.errno = errno
        self.operation = operation
    }

    public var description: String {
        let message: String
        if let text = strerror(errno) {
            message = String(cString: text)
        } else {
            message = "unknown error"
        }
        return "\(operation): \(message) (errno: \(errno))"
    }
}
