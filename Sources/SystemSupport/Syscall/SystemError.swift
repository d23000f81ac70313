import Glibc

/// A failed system call: the operation that failed and the `errno` it set.
///
/// The description is one sentence in the style of SwiftNIO's `IOError`, e.g.
/// `"accept4: Too many open files (errno: 24)"`. It never contains payload bytes or addresses.
package struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The `errno` value the call set.
    package var errno: Int32
    /// The name of the call that failed (`bind`, `accept4`, `epoll_wait`).
    package var operation: String

    package init(errno: Int32, operation: String) {
        self.errno = errno
        self.operation = operation
    }

    package var description: String {
        let message: String
        if let text = strerror(errno) {
            message = String(cString: text)
        } else {
            message = "unknown error"
        }
        return "\(operation): \(message) (errno: \(errno))"
    }
}
