import Foundation
import WebhookCore
import WebhookCrypto
import WebhookHTTP
import WebhookStore

/// The receive path of one webhook route: authenticate, decode, record, answer (docs/architecture.md, "One
/// request"). It is an ``HTTPResponder``: the listener calls it on an event-loop thread and it answers once
/// the inbox has committed (never before: a 200 means the event is on disk). A commit that queued deliveries
/// wakes the dispatcher.
struct WebhookReceiver: HTTPResponder {
    /// The route as configured, secrets prepared (``Configuration/Gu1Route/keys``).
    let route: Configuration.Route
    /// Whether a peer is a trusted proxy whose `X-Forwarded-For` may be believed (`trustedProxies`).
    let isTrustedProxy: @Sendable (String) -> Bool
    let inbox: any Inbox
    /// Names and matchers of the configured handlers, in order.
    let handlers: [(name: String, match: HandlerMatch)]
    let observer: any ReceiveObserver
    /// Called after a commit that queued deliveries of a new event, so the dispatcher takes them at once.
    let wakeDispatcher: @Sendable () -> Void
    let logger: Logger
    let now: @Sendable () -> Date

    // MARK: Preflight: what can be refused before the body is read

    /// What preflight let in, carried to ``respond(to:writer:)`` in the request's context: it runs once.
    private enum Admission: Sendable {
        /// The one `X-Webhook-Signature` value, if any, to check against the body.
        case gu1(signature: String?)
        /// Whether the token or the allow-list authenticated the request already, so that a body that does
        /// not decrypt is authentic all the same.
        case argos(isAuthenticated: Bool)
    }

    func preflight(_ head: HTTPRequestHead, context: inout HTTPRequestContext) -> HTTPResponse? {
        switch route.sender {
        case .gu1(let gu1):
            let signatures = head.fields.values(for: "X-Webhook-Signature")
            if signatures.count > 1 {
                return refuse(.badRequest("two X-Webhook-Signature fields"))
            }
            if signatures.isEmpty && gu1.requireSignature {
                return refuse(.signature)
            }
            context.admission = Admission.gu1(signature: signatures.first)
        case .argos(let argos):
            if argos.allowFrom != nil {
                let client = ClientAddress.resolve(
                    peer: context.remoteAddress,
                    forwardedFor: head.fields.values(for: "X-Forwarded-For"),
                    isTrustedProxy: isTrustedProxy
                )
                if argos.isAllowed(client) != true {
                    return refuse(.forbidden)
                }
            }
            if let token = argos.token?.bytes {
                guard let presented = presentedToken(head, segment: context.route?.segment),
                    constantTimeEquals(Array(presented.utf8), token)
                else {
                    return refuse(.token)
                }
            }
            context.admission = Admission.argos(isAuthenticated: argos.token != nil || argos.allowFrom != nil)
        }
        return nil
    }

    // MARK: Respond

    func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        let finish: @Sendable (HTTPResponse) -> Void = { response in writer.write(response) }
        guard let admission = request.context.admission as? Admission else {
            // The server calls `respond` only after this receiver's preflight let the request in.
            preconditionFailure("WebhookReceiver.respond without its preflight's admission")
        }
        // Down to the millisecond, as the store reads its clock: the deliveries are due at this time, and a
        // time rounded up could still be in the future for the dispatcher's look right after the wake-up,
        // which would then wait for its next poll.
        let milliseconds = (now().timeIntervalSince1970 * 1000).rounded(.down)
        let receivedAt = Timestamp.iso8601(Date(timeIntervalSince1970: milliseconds / 1000))
        let context = DecodeContext(
            route: route.path,
            receivedAt: receivedAt,
            deliveryId: request.head.fields["X-Webhook-ID"]
        )
        let decoded: Result<WebhookEvent, Refusal>
        switch (route.sender, admission) {
        case (.gu1(let gu1), .gu1(let signature)):
            decoded = receiveGu1(request, gu1: gu1, signature: signature, context: context)
        case (.argos(let argos), .argos(let isAuthenticated)):
            decoded = receiveArgos(request, argos: argos, isAuthenticated: isAuthenticated, context: context)
        case (.gu1, .argos), (.argos, .gu1):
            preconditionFailure("WebhookReceiver: an admission of another sender's route")
        }
        switch decoded {
        case .success(let event):
            record(event, rawBody: request.body, requestID: request.requestID, finish: finish)
        case .failure(.invalidPayload(let detail, let isAuthentic)) where isAuthentic:
            keepRejected(request, detail: detail, receivedAt: receivedAt, finish: finish)
        case .failure(let refusal):
            finish(refuse(refusal))
        }
    }

    // MARK: Senders

    private func receiveGu1(
        _ request: HTTPRequest,
        gu1: Configuration.Gu1Route,
        signature: String?,
        context: DecodeContext
    ) -> Result<WebhookEvent, Refusal> {
        if let signature {
            if !gu1.keys.isEmpty || gu1.requireSignature {
                guard let mac = Self.parseSignature(signature),
                    Self.verify(mac: mac, body: request.body, keys: gu1.keys)
                else {
                    return .failure(.signature)
                }
            }
        } else if gu1.requireSignature {
            return .failure(.signature)
        }
        let event: WebhookEvent
        do {
            event = try Gu1Decoder.decode(body: request.body, context: context)
        } catch {
            return .failure(.invalidPayload(error.detail, isAuthentic: true))
        }
        if let announced = request.head.fields["X-Webhook-Event"], announced != event.type {
            observer.eventHeaderMismatch(route: route.path)
            logger.warning(
                "X-Webhook-Event disagrees with the signed body; the body wins",
                metadata: ["request.id": request.requestID, "webhook.type": event.type]
            )
        }
        return .success(event)
    }

    private func receiveArgos(
        _ request: HTTPRequest,
        argos: Configuration.ArgosRoute,
        isAuthenticated authenticBeforeDecryption: Bool,
        context: DecodeContext
    ) -> Result<WebhookEvent, Refusal> {
        // Authentic already when a token or an allow-list passed in preflight; otherwise only decryption
        // can make the body authentic.
        var plaintext = request.body
        if let key = argos.decryptionKey {
            guard let ciphertextText = ArgosDecoder.encryptedData(in: request.body) else {
                return .failure(
                    .invalidPayload(
                        "body is not an encrypted {\"data\": ...} envelope",
                        isAuthentic: authenticBeforeDecryption
                    )
                )
            }
            do {
                plaintext = try ArgosDecoder.decrypt(ciphertextText, key: key)
            } catch {
                return .failure(.invalidPayload(error.detail, isAuthentic: authenticBeforeDecryption))
            }
        }
        do {
            return .success(try ArgosDecoder.decode(body: plaintext, context: context))
        } catch {
            // A body that decrypted is authentic even when it then fails to decode.
            return .failure(.invalidPayload(error.detail, isAuthentic: true))
        }
    }

    // MARK: Recording

    private func record(
        _ event: WebhookEvent,
        rawBody: [UInt8],
        requestID: String,
        finish: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        // Whether the event is stale is the store's to decide when it records it (docs/reference.md §5 "Order"):
        // it gets both lists, and the JSON with `"stale":false`, which it marks in place when stale.
        var stale = event
        stale.stale = true
        let matched = handlers.compactMap { $0.match.matches(event) ? $0.name : nil }
        let matchedIfStale = handlers.compactMap { $0.match.matches(stale) ? $0.name : nil }
        let record = InboxRecord(
            event: event,
            eventJSON: event.jsonBytes(),
            rawBody: rawBody,
            handlers: matched,
            handlersIfStale: matchedIfStale
        )
        let hasHandlers = !matched.isEmpty || !matchedIfStale.isEmpty
        let key = event.key
        let type = event.type
        inbox.record(record) { [observer, wakeDispatcher, logger, route] result in
            switch result {
            case .success(let outcome):
                // Only a new event queued for some handler gives the dispatcher work.
                if outcome == .accepted && hasHandlers { wakeDispatcher() }
                observer.recorded(route: route.path, type: type, outcome: outcome)
                logger.debug(
                    "event recorded",
                    metadata: [
                        "request.id": requestID, "webhook.key": key, "webhook.type": type,
                        "webhook.outcome": outcome.rawValue,
                    ]
                )
                finish(.json(200, "{\"status\":\"\(outcome.rawValue)\",\"key\":\(JSONText.quoted(key))}"))
            case .failure(let error):
                observer.storeFailed(route: route.path)
                logger.error(
                    "store could not record the event; answering 503",
                    metadata: ["request.id": requestID, "error": String(describing: error)]
                )
                finish(Self.unavailable)
            }
        }
    }

    private func keepRejected(
        _ request: HTTPRequest,
        detail: String,
        receivedAt: String,
        finish: @escaping @Sendable (HTTPResponse) -> Void
    ) {
        let body = RejectedBody(
            route: route.path,
            receivedAt: receivedAt,
            reason: detail,
            rawBody: request.body,
            deliveryId: request.head.fields["X-Webhook-ID"]
        )
        let requestID = request.requestID
        inbox.recordRejected(body) { [logger, observer, route] result in
            switch result {
            case .success:
                logger.info("authentic body did not decode; kept for review", metadata: ["request.id": requestID])
                finish(Self.response(for: .invalidPayload(detail, isAuthentic: true)))
            case .failure(let error):
                observer.storeFailed(route: route.path)
                logger.error(
                    "store could not keep a rejected body; answering 503",
                    metadata: ["request.id": requestID, "error": String(describing: error)]
                )
                finish(Self.unavailable)
            }
        }
    }

    // MARK: Authentication helpers

    /// The token of an ARGOS request: `?token=`, or else the path segment the router matched after the route.
    private func presentedToken(_ head: HTTPRequestHead, segment: Substring?) -> Substring? {
        if let query = head.query {
            for pair in query.split(separator: "&") where pair.hasPrefix("token=") {
                return pair.dropFirst("token=".count)
            }
        }
        return segment
    }

    /// The MAC bytes of an `X-Webhook-Signature` value: hex in either case, optionally `sha256=`-prefixed
    /// (the prefix in any case), spaces and tabs around it ignored. Read as UTF-8 code units: it runs for every
    /// Gu1 request.
    static func parseSignature(_ value: String) -> [UInt8]? {
        func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        var text = Substring(value).utf8
        while let first = text.first, isBlank(first) { text.removeFirst() }
        while let last = text.last, isBlank(last) { text.removeLast() }
        let prefix = "sha256=".utf8
        if text.count > prefix.count, text.prefix(prefix.count).elementsEqual(prefix, by: Self.isSameIgnoringCase) {
            text.removeFirst(prefix.count)
        }
        guard text.count == 64 else { return nil }
        return Hex.decode(utf8: text)
    }

    /// Whether `byte` is `lowercase`, or the same ASCII letter in upper case.
    private static func isSameIgnoringCase(_ byte: UInt8, _ lowercase: UInt8) -> Bool {
        let isLetter = lowercase >= UInt8(ascii: "a") && lowercase <= UInt8(ascii: "z")
        return byte == lowercase || (isLetter && byte | 0x20 == lowercase)
    }

    /// Whether `mac` is the HMAC-SHA256 of `body` under any of `keys`, each compared in constant time.
    static func verify(mac: [UInt8], body: [UInt8], keys: [HMACSHA256.Key]) -> Bool {
        body.withUnsafeBytes { bytes in
            var matched = false
            for key in keys where key.isValid(mac, for: bytes) {
                matched = true
            }
            return matched
        }
    }

    // MARK: Refusals and their responses (the one place they map to HTTP, CONTRIBUTING.md rule 20)

    enum Refusal: Error {
        case signature
        case token
        case forbidden
        case badRequest(String)
        case invalidPayload(String, isAuthentic: Bool)
    }

    /// Reports `refusal` and returns its response.
    private func refuse(_ refusal: Refusal) -> HTTPResponse {
        observer.refused(route: route.path, refusal: refusal)
        return Self.response(for: refusal)
    }

    static func response(for refusal: Refusal) -> HTTPResponse {
        switch refusal {
        case .signature: .error(401, "invalid_signature")
        case .token: .error(401, "invalid_token")
        case .forbidden: .error(403, "forbidden")
        case .badRequest(let detail): .error(400, "bad_request", detail: detail)
        case .invalidPayload(let detail, _): .error(400, "invalid_payload", detail: detail)
        }
    }

    /// The store cannot take the request now: 503, try again in a few seconds (also `/readyz`'s answer).
    static let unavailable = HTTPResponse.error(
        503,
        "unavailable",
        fields: HTTPFields([.init(name: "Retry-After", value: "5")])
    )
}

/// What the receive path reports, for metrics. The application implements it over its metrics registry.
protocol ReceiveObserver: Sendable {
    func refused(route: String, refusal: WebhookReceiver.Refusal)
    /// An event was recorded (or found to be a duplicate).
    func recorded(route: String, type: String, outcome: RecordOutcome)
    func eventHeaderMismatch(route: String)
    func storeFailed(route: String)
}
