import Glibc
import SystemSupport

/// Owns one socket file descriptor (CONTRIBUTING.md rule 32, SwiftNIO's `BaseSocket`).
///
/// Opened with `SOCK_NONBLOCK | SOCK_CLOEXEC`; every call goes through ``syscall(_:_:)``. Whoever creates a
/// socket must ``close()`` it: `deinit` asserts that it was closed, so a leaked fd fails debug builds. Not
/// thread-safe: a socket belongs to the event loop that uses it.
final class Socket {
    /// The descriptor, or -1 once closed.
    private(set) var descriptor: Int32

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        assert(descriptor == -1, "Socket \(descriptor) was not closed before deinit")
    }

    var isOpen: Bool { descriptor >= 0 }

    // MARK: - Listening

    /// Creates a non-blocking listening socket bound to `address`.
    ///
    /// - Parameters:
    ///   - address: where to bind.
    ///   - backlog: the accept queue length.
    /// - Throws: ``SystemError`` naming the failed call (`bind` with `EADDRINUSE`, say).
    static func listen(on address: SocketAddress, backlog: Int32) throws(SystemError) -> Socket {
        let fd = try syscallValue("socket") {
            Glibc.socket(
                address.family,
                Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                0
            )
        }
        let socket = Socket(descriptor: fd)
        do {
            // SO_REUSEADDR: a restart takes its port back at once, despite connections in TIME_WAIT (docs/reference.md §4).
            try socket.setOption(level: SOL_SOCKET, name: SO_REUSEADDR, value: 1, operation: "setsockopt(SO_REUSEADDR)")
            if case .v6 = address {
                // `::` means IPv6 only here; bind `0.0.0.0` separately for IPv4. Keeps behaviour independent
                // of the host's `net.ipv6.bindv6only`.
                try socket.setOption(
                    level: Int32(IPPROTO_IPV6),
                    name: IPV6_V6ONLY,
                    value: 1,
                    operation: "setsockopt(IPV6_V6ONLY)"
                )
            }
            try address.withSockAddr { (pointer, length) throws(SystemError) in
                _ = try syscallValue("bind(\(address))") { Glibc.bind(fd, pointer, length) }
            }
            _ = try syscallValue("listen") { Glibc.listen(fd, backlog) }
        } catch {
            socket.close()
            throw error
        }
        return socket
    }

    /// A second descriptor for the same socket (`F_DUPFD_CLOEXEC`), owned by the returned object.
    ///
    /// Each event loop registers its own duplicate of the listening socket, so no descriptor is shared
    /// between threads and each loop closes its own.
    func duplicate() throws(SystemError) -> Socket {
        let fd = descriptor
        return Socket(descriptor: try syscallValue("fcntl(F_DUPFD_CLOEXEC)") { fcntl(fd, F_DUPFD_CLOEXEC, 0) })
    }

    /// The local port this socket is bound to.
    func localPort() throws(SystemError) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = descriptor
        _ = try withUnsafeMutablePointer(to: &storage) { (pointer) throws(SystemError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (raw) throws(SystemError) in
                try syscallValue("getsockname") { getsockname(fd, raw, &length) }
            }
        }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    Int(UInt16(bigEndian: $0.pointee.sin6_port))
                }
            }
        default:
            return 0
        }
    }

    /// Accepts one connection with `accept4(SOCK_NONBLOCK | SOCK_CLOEXEC)`.
    ///
    /// - Returns: the connection's socket and the peer's IP address as text, or nil when none is waiting.
    /// - Throws: ``SystemError`` (`EMFILE` when out of descriptors, say).
    func accept() throws(SystemError) -> (socket: Socket, peer: String)? {
        var storage = sockaddr_storage()
        let flags = Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = descriptor
        let result = try withUnsafeMutableBytes(of: &storage) { (raw) throws(SystemError) in
            try acceptConnection(on: fd, flags: flags, peerAddress: raw)
        }
        switch result {
        case .wouldBlock:
            return nil
        case .value(let connection):
            return (Socket(descriptor: connection), SocketAddress.peerText(&storage))
        }
    }

    // MARK: - Options

    func setOption(level: Int32, name: Int32, value: Int32, operation: @autoclosure () -> String) throws(SystemError) {
        var value = value
        let fd = descriptor
        _ = try syscallValue(operation()) {
            setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// Turns off Nagle's algorithm: a response goes out in one write and must not wait for an ACK.
    func setNoDelay() throws(SystemError) {
        try setOption(level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1, operation: "setsockopt(TCP_NODELAY)")
    }

    // MARK: - I/O

    /// What a read did.
    enum ReadResult {
        /// This many bytes were read (at least one).
        case bytes(Int)
        /// The peer closed its side.
        case endOfFile
        /// Nothing to read now.
        case wouldBlock
    }

    /// Reads what is available into `buffer` with `recv`.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> ReadResult {
        let fd = descriptor
        switch try syscall("recv", { recv(fd, buffer.baseAddress, buffer.count, 0) }) {
        case .wouldBlock:
            return .wouldBlock
        case .value(0):
            return .endOfFile
        case .value(let count):
            return .bytes(count)
        }
    }

    /// Writes the buffers in order with one `sendmsg(MSG_NOSIGNAL)` (a `writev` that cannot raise SIGPIPE).
    ///
    /// - Returns: the number of bytes written (possibly fewer than given), or nil when the socket is full.
    func write(_ buffers: UnsafeMutableBufferPointer<iovec>) throws(SystemError) -> Int? {
        var message = msghdr()
        message.msg_iov = buffers.baseAddress
        message.msg_iovlen = buffers.count
        let fd = descriptor
        switch try syscall("sendmsg", { sendmsg(fd, &message, Int32(MSG_NOSIGNAL)) }) {
        case .wouldBlock:
            return nil
        case .value(let count):
            return count
        }
    }

    /// Half-closes the connection: the peer reads end-of-file after the bytes already sent.
    func shutdownWrite() {
        guard descriptor >= 0 else { return }
        let fd = descriptor
        // Errors (ENOTCONN after a reset) change nothing: the connection is being closed anyway.
        _ = try? syscall("shutdown") { Glibc.shutdown(fd, Int32(SHUT_WR)) }
    }

    /// Closes the descriptor (idempotent). `EINTR` is ignored: on Linux the fd is released regardless.
    func close() {
        guard descriptor >= 0 else { return }
        _ = Glibc.close(descriptor)
        descriptor = -1
    }
}
