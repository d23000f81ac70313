import Glibc
import SystemSupport

/// An IPv4 or IPv6 address and port to bind, built from a literal (no DNS lookups).
enum SocketAddress: Sendable, CustomStringConvertible {
    case v4(sockaddr_in)
    case v6(sockaddr_in6)

    /// Parses an IPv4 or IPv6 literal (`127.0.0.1`, `::1`, `0.0.0.0`, `::`); IPv6 may be in brackets.
    init?(literal: String, port: Int) {
        guard port >= 0, port <= 65_535 else { return nil }
        var host = literal
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr = v4
            self = .v4(address)
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            address.sin6_addr = v6
            self = .v6(address)
            return
        }
        return nil
    }

    /// The addresses a configured host stands for: the literal itself, or for `localhost` both loopbacks
    /// (`127.0.0.1` first, then `::1`). Any other name is refused: the listener never resolves DNS.
    static func resolve(host: String, port: Int) -> [SocketAddress]? {
        if host.isEqualCaseInsensitive(to: "localhost") {
            guard let v4 = SocketAddress(literal: "127.0.0.1", port: port),
                let v6 = SocketAddress(literal: "::1", port: port)
            else { return nil }
            return [v4, v6]
        }
        return SocketAddress(literal: host, port: port).map { [$0] }
    }

    var family: Int32 {
        switch self {
        case .v4: return AF_INET
        case .v6: return AF_INET6
        }
    }

    /// The same address with another port (to bind every listener to the port the first one got).
    func with(port: Int) -> SocketAddress {
        switch self {
        case .v4(var address):
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            return .v4(address)
        case .v6(var address):
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            return .v6(address)
        }
    }

    /// Calls `body` with the C address and its length.
    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws(SystemError) -> R) throws(SystemError) -> R
    {
        switch self {
        case .v4(var address):
            return try withUnsafePointer(to: &address) { (pointer) throws(SystemError) -> R in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (raw) throws(SystemError) -> R in
                    try body(raw, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        case .v6(var address):
            return try withUnsafePointer(to: &address) { (pointer) throws(SystemError) -> R in
                try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { (raw) throws(SystemError) -> R in
                    try body(raw, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
    }

    var description: String {
        switch self {
        case .v4(let address):
            return "\(Self.text(of: address)):\(UInt16(bigEndian: address.sin_port))"
        case .v6(let address):
            return "[\(Self.text(of: address))]:\(UInt16(bigEndian: address.sin6_port))"
        }
    }

    /// The IP address of a peer as text (`127.0.0.1`, `::1`), without the port.
    static func peerText(_ storage: inout sockaddr_storage) -> String {
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { text(of: $0.pointee) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { text(of: $0.pointee) }
            }
        default:
            return "unknown"
        }
    }

    private static func text(of address: sockaddr_in) -> String {
        var addr = address.sin_addr
        return format { out, count in inet_ntop(AF_INET, &addr, out, count) != nil }
    }

    private static func text(of address: sockaddr_in6) -> String {
        var addr = address.sin6_addr
        return format { out, count in inet_ntop(AF_INET6, &addr, out, count) != nil }
    }

    private static func format(_ body: (UnsafeMutablePointer<CChar>?, socklen_t) -> Bool) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let ok = buffer.withUnsafeMutableBufferPointer { out in body(out.baseAddress, socklen_t(out.count)) }
        guard ok else { return "unknown" }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
