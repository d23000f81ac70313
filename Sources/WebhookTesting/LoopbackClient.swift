import Glibc
import SystemSupport

/// A raw HTTP/1.1 client over a blocking loopback socket, for tests that need exact bytes on the wire:
/// pipelining, trickled heads, half-written bodies, and checks that the server closed the connection.
///
/// Every read has a timeout (`SO_RCVTIMEO`), so a test fails rather than hangs. Not thread-safe: use one
/// client from one task. Close it when done (`deinit` closes it too).
///
/// ```swift
/// let client = try LoopbackClient(port: server.port)
/// try client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
/// let response = try client.readResponse()
/// #expect(response.status == 200)
/// ```
public final class LoopbackClient {
    private var descriptor: Int32
    /// Received bytes not returned yet.
    private var buffer: [UInt8] = []

    /// Connects to `host:port` (an IPv4 or IPv6 literal).
    ///
    /// - Parameters:
    ///   - port: the server's port.
    ///   - host: `127.0.0.1` by default, or `::1`.
    ///   - timeoutSeconds: the limit for each read and write.
    /// - Throws: ``LoopbackClientError`` when the socket cannot be created or the connection is refused.
    public init(port: Int, host: String = "127.0.0.1", timeoutSeconds: Double = 5) throws {
        var v4 = sockaddr_in()
        var v6 = sockaddr_in6()
        let family: Int32
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            family = AF_INET
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(port).bigEndian)
        } else if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            family = AF_INET6
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(port).bigEndian)
        } else {
            throw LoopbackClientError.invalidAddress(host)
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw LoopbackClientError.system("socket", errno) }
        descriptor = fd
        var timeout = timeval(
            tv_sec: Int(timeoutSeconds),
            tv_usec: Int((timeoutSeconds - Double(Int(timeoutSeconds))) * 1_000_000)
        )
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let result: Int32
        if family == AF_INET {
            result = withUnsafePointer(to: &v4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        } else {
            result = withUnsafePointer(to: &v6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
        if result != 0 {
            let code = errno
            Glibc.close(fd)
            descriptor = -1
            throw LoopbackClientError.system("connect", code)
        }
    }

    deinit {
        close()
    }

    // MARK: Writing

    /// Sends all of `bytes` (`MSG_NOSIGNAL`: a closed peer is an error, not a SIGPIPE).
    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written: Int
            do {
                written = try syscallValue("send") {
                    bytes.withUnsafeBytes { raw in
                        Glibc.send(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                    }
                }
            } catch {
                throw LoopbackClientError.system("send", error.errno)
            }
            offset += written
        }
    }

    /// Sends the UTF-8 bytes of `text`.
    public func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    /// Half-closes: the server reads end-of-file after what was sent.
    public func shutdownWrite() {
        _ = Glibc.shutdown(descriptor, Int32(SHUT_WR))
    }

    public func close() {
        guard descriptor >= 0 else { return }
        _ = Glibc.close(descriptor)
        descriptor = -1
    }

    // MARK: Reading

    /// Reads one response (an interim `100 Continue` counts as one).
    ///
    /// - Parameter toHEAD: the request was `HEAD`: the response has a `Content-Length` but no body.
    /// - Throws: ``LoopbackClientError/timedOut`` when nothing complete arrives in time,
    ///   ``LoopbackClientError/closed(_:)`` when the server closes first.
    public func readResponse(toHEAD: Bool = false) throws -> LoopbackResponse {
        var headEnd = try fill { buffer in Self.find([13, 10, 13, 10], in: buffer) }
        headEnd += 4
        guard let headText = String(validating: buffer[0..<headEnd], as: UTF8.self) else {
            throw LoopbackClientError.malformed("response head is not UTF-8")
        }
        var lines = headText.split(separator: "\r\n", omittingEmptySubsequences: true)
        guard !lines.isEmpty else { throw LoopbackClientError.malformed("empty response head") }
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw LoopbackClientError.malformed("status line \(statusLine)")
        }
        var headers: [LoopbackResponse.Header] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else {
                throw LoopbackClientError.malformed("field line \(line)")
            }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingPrefix(while: { $0 == " " })
            headers.append(.init(name: name, value: String(value)))
        }
        var response = LoopbackResponse(
            status: status,
            reason: parts.count > 2 ? String(parts[2]) : "",
            headers: headers,
            body: []
        )
        let length: Int
        if (100..<200).contains(status) || status == 204 || status == 304 || toHEAD {
            length = 0
        } else if let declared = response.header("Content-Length").flatMap({ Int($0) }) {
            length = declared
        } else {
            throw LoopbackClientError.malformed("response without Content-Length")
        }
        _ = try fill { buffer in buffer.count >= headEnd + length ? headEnd : nil }
        response.body = Array(buffer[headEnd..<(headEnd + length)])
        buffer.removeFirst(headEnd + length)
        return response
    }

    /// Reads `count` responses in order.
    public func readResponses(_ count: Int) throws -> [LoopbackResponse] {
        try (0..<count).map { _ in try readResponse() }
    }

    /// Whether the server closes the connection (end-of-file or reset) before the read timeout, once the
    /// bytes before it are drained. Returns false if the connection stays open past the timeout.
    public func waitForClose() -> Bool {
        while true {
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count: Int
            do {
                count = try syscallValue("recv") {
                    chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                }
            } catch {
                return error.errno == ECONNRESET
            }
            if count == 0 { return true }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }

    /// The bytes received but not returned by ``readResponse(toHEAD:)`` (after ``waitForClose()``, say).
    public var unreadBytes: [UInt8] { buffer }

    /// Reads until `isComplete` finds what it needs in the buffer.
    private func fill(_ isComplete: ([UInt8]) -> Int?) throws -> Int {
        while true {
            if let found = isComplete(buffer) { return found }
            var chunk = [UInt8](repeating: 0, count: 16_384)
            let result: SyscallResult<Int>
            do {
                result = try syscall("recv") {
                    chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                }
            } catch {
                if error.errno == ECONNRESET { throw LoopbackClientError.closed(buffer) }
                throw LoopbackClientError.system("recv", error.errno)
            }
            // EAGAIN: `SO_RCVTIMEO` passed with nothing complete.
            guard case .value(let count) = result else { throw LoopbackClientError.timedOut }
            if count == 0 { throw LoopbackClientError.closed(buffer) }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count)
        where haystack[start] == needle[0] && Array(haystack[start..<(start + needle.count)]) == needle {
            return start
        }
        return nil
    }
}

/// One response as ``LoopbackClient`` read it.
public struct LoopbackResponse: Sendable, Equatable {
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public var status: Int
    public var reason: String
    public var headers: [Header]
    public var body: [UInt8]

    /// The first value of `name` (case-insensitive), if any.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Why a ``LoopbackClient`` call failed.
public enum LoopbackClientError: Error, Equatable, CustomStringConvertible {
    case invalidAddress(String)
    case system(String, Int32)
    /// No complete response within the read timeout.
    case timedOut
    /// The server closed the connection; carries the bytes received and not consumed.
    case closed([UInt8])
    case malformed(String)

    public var description: String {
        switch self {
        case .invalidAddress(let host): return "not an IP literal: \(host)"
        case .system(let call, let code): return "\(call) failed (errno: \(code))"
        case .timedOut: return "timed out waiting for a response"
        case .closed(let bytes): return "connection closed by the server after \(bytes.count) unread bytes"
        case .malformed(let what): return "malformed response: \(what)"
        }
    }
}
