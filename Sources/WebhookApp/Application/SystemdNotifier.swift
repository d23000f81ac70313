#if canImport(Glibc)
    import Glibc
#endif

/// systemd's readiness protocol (`Type=notify`, sd_notify(3)) without libsystemd: one datagram per change of
/// state to the unix socket systemd names in `NOTIFY_SOCKET`.
///
/// `serve` sends `READY=1` once it listens and `STOPPING=1` when a signal starts the drain, so that
/// `systemctl start` returns only when webhooks can be received and units ordered after this one start
/// then. Without `NOTIFY_SOCKET` (not under systemd, or `Type=simple`) there is nothing to do.
public struct SystemdNotifier: Sendable {
    /// `sun_path`'s bytes: a file path, or an abstract name with its leading NUL.
    private let path: [UInt8]

    /// The notifier for `NOTIFY_SOCKET`'s value; nil when it is unset, empty, or neither an absolute path
    /// nor an abstract name (`@name`), or too long for a unix socket address.
    public init?(notifySocket: String?) {
        guard let notifySocket, let first = notifySocket.utf8.first else { return nil }
        var path = Array(notifySocket.utf8)
        switch first {
        case UInt8(ascii: "/"): break
        case UInt8(ascii: "@"): path[0] = 0
        default: return nil
        }
        let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        guard path.count < capacity else { return nil }
        self.path = path
    }

    /// Sends `state` (newline-separated `KEY=VALUE` lines). Returns the `errno` of a failure, nil on success.
    @discardableResult
    public func notify(_ state: String) -> Int32? {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: path)
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + path.count)
        let message = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                message.withUnsafeBytes { bytes in
                    sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, length)
                }
            }
        }
        return sent == message.count ? nil : (sent < 0 ? errno : EMSGSIZE)
    }
}
