public import Foundation
import SystemSupport
public import WebhookCore
import WebhookCrypto

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The built-in `http` handler: POSTs the event JSON to `url`; a 2xx answer is success (docs/reference.md §6).
///
/// The body is the event JSON exactly as stored (`Content-Type: application/json`). With a signing key the
/// request carries the Standard Webhooks headers (https://www.standardwebhooks.com):
/// - `webhook-id`: the event key, the same for every attempt, so the receiver can dedupe;
/// - `webhook-timestamp`: the attempt's time in Unix seconds;
/// - `webhook-signature`: `v1,` + base64 of HMAC-SHA256(key, `"{id}.{timestamp}.{body}"`).
///
/// The whole request (connect, send, answer) is bounded by `timeout`. A non-2xx answer fails the attempt with
/// its status and at most ``responsePrefixLimit`` bytes of the response body. Redirects are not followed: a 3xx
/// fails the attempt like any non-2xx (following one would send the event and its signature to another URL than
/// the configured one). Cookies and caches are not kept.
public struct HTTPEventHandler: WebhookHandler {
    /// The bytes of a failed answer's body quoted in the error.
    public static let responsePrefixLimit = 200

    /// How long one attempt may take when neither the code nor the configuration (`timeoutSeconds`) says:
    /// 10 s. A receiver that answers a webhook slower than that is failing in practice, and a hung endpoint
    /// should not hold one of the handler's concurrent deliveries for long; the retry policy tries again.
    public static let defaultTimeout: Duration = .seconds(10)

    /// Where events are posted.
    public let url: URL
    /// How long one attempt may take.
    public let timeout: Duration
    private let signingKey: [UInt8]?
    /// Whether requests carry Standard Webhooks signatures (a signing key was given).
    public var isSigning: Bool { signingKey != nil }
    private let clock: any Clock<Duration>
    private let session: URLSession

    /// - Parameters:
    ///   - url: where events are posted.
    ///   - timeout: how long one attempt may take (docs/reference.md §3 `timeoutSeconds`), default ``defaultTimeout``.
    ///   - signingKey: the HMAC key for Standard Webhooks signatures, or nil to send unsigned requests. Turn a
    ///     configured secret into the key with ``signingKey(fromSecret:)``.
    ///   - clock: the clock the timeout is measured on.
    public init(
        url: URL,
        timeout: Duration = HTTPEventHandler.defaultTimeout,
        signingKey: [UInt8]? = nil,
        clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.url = url
        self.timeout = timeout
        self.signingKey = signingKey
        self.clock = clock
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = max(timeout.inSeconds, 0.001)
        configuration.timeoutIntervalForResource = max(timeout.inSeconds, 0.001)
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        self.session = URLSession(configuration: configuration, delegate: RefuseRedirects(), delegateQueue: nil)
    }

    /// The HMAC key of a configured signing secret.
    ///
    /// Standard Webhooks secrets are `whsec_` followed by the base64 of the key bytes: such a secret is decoded
    /// (strict base64), as the Standard Webhooks libraries do, so a receiver using one of them verifies our
    /// signatures with the same secret string. Any other secret is used as its UTF-8 bytes.
    ///
    /// - Throws: ``HandlerError`` (`.configuration`) when a `whsec_` secret is not valid base64 or is empty.
    ///   The message never quotes the secret.
    public static func signingKey(fromSecret secret: String) throws -> [UInt8] {
        let prefix = "whsec_"
        guard secret.hasPrefix(prefix) else {
            guard !secret.isEmpty else {
                throw HandlerError(.configuration, message: "http: the signing secret is empty")
            }
            return Array(secret.utf8)
        }
        guard let key = Base64.decode(secret.dropFirst(prefix.count)), !key.isEmpty else {
            throw HandlerError(
                .configuration,
                message: "http: a signing secret starting with whsec_ must continue with standard base64"
            )
        }
        return key
    }

    /// The `webhook-signature` value for a message: `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`.
    public static func signature(id: String, timestamp: Int, body: [UInt8], key: [UInt8]) -> String {
        let signed = Array("\(id).\(timestamp).".utf8) + body
        let mac = signed.withUnsafeBytes { HMACSHA256.authenticationCode(for: $0, key: key) }
        return "v1," + Base64.encode(mac)
    }

    public func handle(_ event: WebhookEvent, context: HandlerContext) async throws {
        var request = URLRequest(
            url: url,
            cachePolicy: .reloadIgnoringLocalCacheData,
            timeoutInterval: timeout.inSeconds
        )
        request.httpMethod = "POST"
        request.httpBody = Data(context.eventJSON)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("kyc-webhooks", forHTTPHeaderField: "User-Agent")
        if let signingKey {
            let timestamp = Int(Date().timeIntervalSince1970)
            request.setValue(event.key, forHTTPHeaderField: "webhook-id")
            request.setValue(String(timestamp), forHTTPHeaderField: "webhook-timestamp")
            request.setValue(
                Self.signature(
                    id: event.key,
                    timestamp: timestamp,
                    body: context.eventJSON,
                    key: signingKey
                ),
                forHTTPHeaderField: "webhook-signature"
            )
        }

        let (body, response) = try await send(request)
        guard let response = response as? HTTPURLResponse else {
            throw HandlerError(
                .transport,
                message: "http: POST \(redacted(url)) got an answer that is not HTTP"
            )
        }
        guard (200..<300).contains(response.statusCode) else {
            let prefix = String(decoding: body.prefix(Self.responsePrefixLimit), as: UTF8.self)
                .unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : String($0) }.joined()
            throw HandlerError(
                .httpStatus,
                status: response.statusCode,
                message: "http: POST \(redacted(url)) answered \(response.statusCode)"
                    + (prefix.isEmpty ? "" : ": \(prefix)")
            )
        }
    }

    /// Sends `request`, failing with a timeout error when it takes longer than `timeout` on the clock.
    private func send(_ request: URLRequest) async throws -> (Data, URLResponse) {
        let session = self.session
        let clock = self.clock
        let timeout = self.timeout
        let url = self.url
        return try await withThrowingTaskGroup(of: (Data, URLResponse)?.self) { group in
            group.addTask {
                do {
                    return try await session.data(for: request)
                } catch let error as URLError where error.code == .timedOut {
                    throw Self.timedOut(url, timeout)
                } catch let error as URLError where error.code == .cancelled {
                    throw CancellationError()
                } catch let error as URLError {
                    throw HandlerError(
                        .transport,
                        message:
                            "http: POST \(redacted(url)) failed: \(error.localizedDescription) (URLError \(error.code.rawValue))"
                    )
                }
            }
            group.addTask {
                try await clock.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let answer = first else {
                throw Self.timedOut(url, timeout)
            }
            return answer
        }
    }

    private static func timedOut(_ url: URL, _ timeout: Duration) -> HandlerError {
        HandlerError(
            .timeout,
            message: "http: POST \(redacted(url)) took longer than \(timeout.inSeconds) s"
        )
    }
}

/// `url` without its user info and query, which may carry credentials.
private func redacted(_ url: URL) -> String {
    guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
        return "the URL"
    }
    components.user = nil
    components.password = nil
    if components.query != nil { components.query = "…" }
    return components.string ?? "the URL"
}

/// Makes URLSession hand a 3xx back as the answer instead of following it.
private final class RefuseRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession,
        task: URLSessionTask,
        willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest,
        completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
