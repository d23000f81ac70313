import Dispatch
import Glibc
import Synchronization
import SystemSupport

/// A serial Dispatch queue that runs blocking file I/O (`write`, `fsync`) off the cooperative pool, one job at a
/// time, and hands the result back to async code through a checked continuation (CONTRIBUTING.md rules 24-25).
///
/// One queue per destination (a path, or a file descriptor), shared process-wide, so that writers of one file
/// never interleave, whichever handler instances write to it.
final class SerialIOQueue: Sendable {
    private let queue: DispatchQueue

    private init(label: String) {
        queue = DispatchQueue(label: label)
    }

    private static let registry = Mutex<[String: SerialIOQueue]>([:])

    /// The queue of `destination` (created on first use, then shared).
    static func shared(for destination: String) -> SerialIOQueue {
        registry.withLock { queues in
            if let queue = queues[destination] { return queue }
            let queue = SerialIOQueue(label: "kyc-webhooks.io.\(queues.count)")
            queues[destination] = queue
            return queue
        }
    }

    /// Runs `work` on the queue and returns its result.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}

extension SerialIOQueue {
    /// Writes all of `bytes` to `fd`, retrying on EINTR and partial writes (waiting with `poll` on EAGAIN).
    ///
    /// - Returns: nil on success, else the errno of the failed `write`.
    static func writeAll(_ bytes: [UInt8], to fd: Int32) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            do {
                let result = try syscall("write") {
                    bytes.withUnsafeBytes { buffer in write(fd, buffer.baseAddress! + offset, buffer.count - offset) }
                }
                switch result {
                case .value(let written):
                    offset += written
                case .wouldBlock:
                    var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&descriptor, 1, 1000)
                }
            } catch {
                return error.errno
            }
        }
        return nil
    }
}
