import Dispatch
import Foundation
import Glibc
import Synchronization
import WebhookApp
import WebhookCore
import WebhookTesting

/// A fresh temporary directory, removed when dropped.
final class HandlerTemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("webhookapp-handlers-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The context the dispatcher would pass for `event`.
func context(for event: WebhookEvent, handler: String = "test", attempt: Int = 1) -> HandlerContext {
    HandlerContext(handlerName: handler, attempt: attempt, eventJSON: event.jsonBytes())
}

/// Starts a ``TestHTTPServer``, runs `body` with it, then stops it and waits for its accept thread to end,
/// whether `body` returned, threw, or left a failed expectation behind. Everything runs on a thread of its
/// own (``Blocking/onThread(isolation:_:)``), since stopping waits.
///
/// - Parameters: as ``TestHTTPServer``'s.
/// - Returns: what `body` returns.
func withTestHTTPServer<T>(
    statuses: [Int] = [],
    defaultStatus: Int = 200,
    responseBody: String = "",
    extraHeaders: String = "",
    isHanging: Bool = false,
    _ body: (TestHTTPServer) async throws -> T
) async throws -> T {
    try await Blocking.onThread {
        let server = try TestHTTPServer(
            statuses: statuses,
            defaultStatus: defaultStatus,
            responseBody: responseBody,
            extraHeaders: extraHeaders,
            isHanging: isHanging
        )
        defer { server.stop() }
        return try await body(server)
    }
}

/// A one-request-at-a-time HTTP/1.1 server on 127.0.0.1 for the `http` handler's tests; only
/// ``withTestHTTPServer(statuses:defaultStatus:responseBody:extraHeaders:isHanging:_:)`` starts one.
///
/// Answers each request with the next status of `statuses` (then `defaultStatus`), `Connection: close`.
/// With `isHanging`, it reads requests and never answers. The accept loop runs on a thread of its own; the
/// listening socket is shut down by ``stop()``, which waits for that thread to end.
final class TestHTTPServer: Sendable {
    struct Request: Sendable {
        var method: String
        var target: String
        /// Lowercased names.
        var headers: [String: String]
        var body: [UInt8]
    }

    private struct State {
        var statuses: [Int]
        var defaultStatus: Int
        var responseBody: String
        var extraHeaders: String
        var isHanging: Bool
        var requests: [Request] = []
        var heldConnections: [Int32] = []
        var isStopped = false
    }

    let port: UInt16
    private let listener: Int32
    private let state: Mutex<State>
    /// Signalled once when the accept loop returns.
    private let acceptLoopEnded = DispatchSemaphore(value: 0)

    init(
        statuses: [Int] = [],
        defaultStatus: Int = 200,
        responseBody: String = "",
        extraHeaders: String = "",
        isHanging: Bool = false
    ) throws {
        state = Mutex(
            State(
                statuses: statuses,
                defaultStatus: defaultStatus,
                responseBody: responseBody,
                extraHeaders: extraHeaders,
                isHanging: isHanging
            )
        )
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            close(listener)
            throw POSIXError(.EADDRINUSE)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    var url: URL { URL(string: "http://127.0.0.1:\(port)/hooks/crm")! }

    var requests: [Request] { state.withLock { $0.requests } }

    /// Closes the connections held open, shuts the listener down and waits (up to 10 s: a request being
    /// served has a 5 s read timeout) until the accept loop has returned. Blocking; a second call does nothing.
    func stop() {
        let held = state.withLock { state -> [Int32]? in
            guard !state.isStopped else { return nil }
            state.isStopped = true
            defer { state.heldConnections.removeAll() }
            return state.heldConnections
        }
        guard let held else { return }
        for fd in held { close(fd) }
        shutdown(listener, Int32(SHUT_RDWR))
        _ = acceptLoopEnded.wait(timeout: .now() + 10)
    }

    deinit {
        close(listener)
    }

    private func acceptLoop() {
        defer { acceptLoopEnded.signal() }
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            if state.withLock({ $0.isStopped }) {
                close(connection)
                return
            }
            serve(connection)
        }
    }

    private func serve(_ connection: Int32) {
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        func readMore() -> Bool {
            let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return false }
            received += buffer[0..<count]
            return true
        }
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            guard readMore() else {
                close(connection)
                return
            }
            headEnd = received.firstRange(of: separator)?.upperBound
        }
        let head = String(decoding: received[..<headEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let requestLine = lines.removeFirst().split(separator: " ").map(String.init)
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces
            )
        }
        if headers["expect"]?.lowercased() == "100-continue" {
            let interim = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
            _ = interim.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while received.count - headEnd! < length {
            guard readMore() else { break }
        }
        let body = Array(received[headEnd!...].prefix(length))
        let request = Request(method: requestLine[0], target: requestLine[1], headers: headers, body: body)

        let answer = state.withLock { state -> (status: Int, body: String, headers: String)? in
            state.requests.append(request)
            if state.isHanging {
                state.heldConnections.append(connection)
                return nil
            }
            let status = state.statuses.isEmpty ? state.defaultStatus : state.statuses.removeFirst()
            return (status, state.responseBody, state.extraHeaders)
        }
        guard let answer else { return }
        let response = Array(
            "HTTP/1.1 \(answer.status) Test\r\nContent-Type: text/plain\r\nContent-Length: \(answer.body.utf8.count)\r\n\(answer.headers)Connection: close\r\n\r\n\(answer.body)"
                .utf8
        )
        _ = response.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        close(connection)
    }
}
