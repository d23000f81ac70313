import Foundation
import Testing
import WebhookApp
import WebhookTesting

#if canImport(Glibc)
    import Glibc
#endif

/// A unix datagram socket standing in for systemd's notification socket.
final class NotificationSocket {
    private let fd: Int32
    /// The value for `NOTIFY_SOCKET`.
    let name: String

    /// Binds `name`: an absolute path, or `@` and an abstract name.
    init(name: String) throws {
        self.name = name
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw DaemonError("socket: errno \(errno)") }
        var path = Array(name.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + path.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            close(fd)
            throw DaemonError("bind \(name): errno \(errno)")
        }
    }

    deinit {
        close(fd)
        if name.hasPrefix("/") { unlink(name) }
    }

    /// The next datagram, or nil after `timeout` seconds.
    func receive(timeout: Double) -> String? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil
    }
}

@Suite struct SystemdNotifierTests {
    @Test func onlyAnAbsolutePathOrAnAbstractNameIsASocket() {
        #expect(SystemdNotifier(notifySocket: nil) == nil)
        #expect(SystemdNotifier(notifySocket: "") == nil)
        #expect(SystemdNotifier(notifySocket: "run/systemd/notify") == nil)
        #expect(SystemdNotifier(notifySocket: "/" + String(repeating: "x", count: 200)) == nil)
        #expect(SystemdNotifier(notifySocket: "/run/systemd/notify") != nil)
        #expect(SystemdNotifier(notifySocket: "@kyc-webhooks-notify") != nil)
    }

    @Test func sendsTheStateToAnAbstractSocket() async throws {
        // The receive blocks on the socket: on a thread of its own, not the cooperative pool.
        try await Blocking.onThread {
            let socket = try NotificationSocket(name: "@kyc-webhooks-test-\(UUID().uuidString)")
            let notifier = try #require(SystemdNotifier(notifySocket: socket.name))
            #expect(notifier.notify("READY=1\nSTATUS=test") == nil)
            #expect(socket.receive(timeout: 5) == "READY=1\nSTATUS=test")
        }
    }

    @Test func reportsASocketNobodyListensOn() throws {
        let notifier = try #require(SystemdNotifier(notifySocket: "/nonexistent-\(UUID().uuidString)/notify"))
        #expect(notifier.notify("READY=1") == ENOENT)
    }
}
