import Synchronization
import Testing
import WebhookHTTP
import WebhookTesting

/// A route responder that refuses in preflight when a header is missing (as a signature check would), and
/// records what reached it.
final class GuardedResponder: HTTPResponder {
    let preflights = Mutex<[String]>([])
    let bodies = Mutex<[[UInt8]]>([])
    /// What `respond` found in the request's context: the route's path, its segment, the admission.
    let contexts = Mutex<[(route: String?, segment: String?, admission: String?)]>([])

    func preflight(_ head: HTTPRequestHead, context: inout HTTPRequestContext) -> HTTPResponse? {
        preflights.withLock { $0.append(String(head.path)) }
        guard let key = head.fields["X-Key"] else { return .error(401, "invalid_signature") }
        context.admission = "key \(key)"
        return nil
    }

    func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        bodies.withLock { $0.append(request.body) }
        let context = request.context
        contexts.withLock {
            $0.append((context.route?.path, context.route?.segment.map(String.init), context.admission as? String))
        }
        writer.write(.json(200, #"{"path":"\#(request.head.path)"}"#))
    }
}

extension RouterResponder {
    /// Preflight as the server calls it, with a new context for a peer at `remoteAddress`.
    func preflight(_ head: HTTPRequestHead, remoteAddress: String) -> HTTPResponse? {
        var context = HTTPRequestContext(remoteAddress: remoteAddress)
        return preflight(head, context: &context)
    }
}

private func makeRouter(guarded: GuardedResponder = GuardedResponder()) -> RouterResponder {
    var router = Router()
    router.add("/healthz", methods: ["GET", "HEAD"]) { _ in .json(200, #"{"status":"ok"}"#) }
    router.add("/webhooks/gu1", methods: ["POST"], responder: guarded)
    router.add("/webhooks/argos", methods: ["POST"], matchingOneMoreSegment: true, responder: guarded)
    return router.buildResponder()
}

private func head(_ method: String, _ target: String, fields: [HTTPFields.Field] = []) -> HTTPRequestHead {
    HTTPRequestHead(
        method: method,
        target: target,
        version: .http1_1,
        fields: HTTPFields(fields),
        framing: .none,
        isKeepAlive: true,
        expectsContinue: false
    )
}

/// Routing decisions, without sockets.
@Suite struct RouterTests {
    @Test func unknownPathIs404InPreflight() throws {
        let refusal = try #require(makeRouter().preflight(head("POST", "/nope"), remoteAddress: "127.0.0.1"))
        #expect(refusal.status == 404)
        #expect(String(decoding: refusal.body, as: UTF8.self) == #"{"error":"not_found"}"#)
    }

    /// An absolute-form target is routed by its path (RFC 9112 §3.2.2), and its route sees that path.
    @Test func absoluteFormIsRoutedByItsPath() throws {
        let guarded = GuardedResponder()
        let router = makeRouter(guarded: guarded)
        let key = [HTTPFields.Field(name: "X-Key", value: "k")]
        #expect(router.preflight(head("POST", "http://h/webhooks/gu1", fields: key), remoteAddress: "127.0.0.1") == nil)
        #expect(
            router.preflight(head("POST", "http://h:80/webhooks/argos/tok?x", fields: key), remoteAddress: "127.0.0.1")
                == nil
        )
        #expect(guarded.preflights.withLock { $0 } == ["/webhooks/gu1", "/webhooks/argos/tok"])
        let health = try #require(router.preflight(head("POST", "https://h/healthz"), remoteAddress: "127.0.0.1"))
        #expect(health.status == 405)
    }

    /// `OPTIONS *` and `CONNECT host:port` name no resource: 501, as the server implements neither.
    @Test(arguments: [("OPTIONS", "*"), ("CONNECT", "h:443")])
    func asteriskAndAuthorityFormsAre501(method: String, target: String) throws {
        let refusal = try #require(makeRouter().preflight(head(method, target), remoteAddress: "127.0.0.1"))
        #expect(refusal.status == 501)
        #expect(String(decoding: refusal.body, as: UTF8.self) == #"{"error":"not_implemented"}"#)
    }

    @Test func wrongMethodIs405WithAllow() throws {
        let router = makeRouter()
        let refusal = try #require(router.preflight(head("GET", "/webhooks/gu1"), remoteAddress: "127.0.0.1"))
        #expect(refusal.status == 405)
        #expect(refusal.fields["Allow"] == "POST")
        #expect(String(decoding: refusal.body, as: UTF8.self) == #"{"error":"method_not_allowed"}"#)
        let health = try #require(router.preflight(head("POST", "/healthz"), remoteAddress: "127.0.0.1"))
        #expect(health.fields["Allow"] == "GET, HEAD")
    }

    @Test(
        "paths",
        arguments: [
            ("/webhooks/argos/tok123", true),
            ("/webhooks/argos", true),
            ("/webhooks/argos/tok?x=1", true),
            ("/webhooks/argos/", false),
            ("/webhooks/argos/a/b", false),
            ("/webhooks/gu1/extra", false),
            ("/webhooks/gu1?sig=1", true),
            ("/webhooks/GU1", false),
            ("/webhooks/gu1/", false),
        ]
    )
    func oneMoreSegmentOnlyWhereTheRouteAllowsIt(target: String, isRouted: Bool) {
        let guarded = GuardedResponder()
        let refusal = makeRouter(guarded: guarded).preflight(
            head("POST", target, fields: [.init(name: "X-Key", value: "k")]),
            remoteAddress: "127.0.0.1"
        )
        #expect((refusal == nil) == isRouted)
        if !isRouted { #expect(refusal?.status == 404) }
    }

    /// After the router's own checks, the route's responder gets its preflight.
    @Test func routePreflightRunsAfterRouting() throws {
        let guarded = GuardedResponder()
        let router = makeRouter(guarded: guarded)
        let refusal = try #require(router.preflight(head("POST", "/webhooks/argos/t"), remoteAddress: "127.0.0.1"))
        #expect(refusal.status == 401)
        #expect(guarded.preflights.withLock { $0 } == ["/webhooks/argos/t"])
        _ = router.preflight(head("GET", "/webhooks/argos/t"), remoteAddress: "127.0.0.1")
        #expect(guarded.preflights.withLock { $0.count } == 1)
    }

    @Test func respondDispatchesToTheRoute() {
        let router = makeRouter()
        let answer = Mutex<HTTPResponse?>(nil)
        var context = HTTPRequestContext(remoteAddress: "127.0.0.1")
        #expect(router.preflight(head("GET", "/healthz"), context: &context) == nil)
        router.respond(
            to: HTTPRequest(head: head("GET", "/healthz"), body: [], context: context, requestID: "1"),
            writer: HTTPResponseWriter { response in answer.withLock { $0 = response } }
        )
        #expect(answer.withLock { $0?.status } == 200)
    }

    /// The route is matched once, in preflight: the match (route path and extra segment) and the route
    /// responder's own admission reach `respond` in the request's context, and nothing is routed again there.
    @Test func preflightsMatchReachesRespondInTheContext() throws {
        let guarded = GuardedResponder()
        let router = makeRouter(guarded: guarded)
        let argos = head("POST", "/webhooks/argos/tok7?x=1", fields: [.init(name: "X-Key", value: "k")])
        var context = HTTPRequestContext(remoteAddress: "127.0.0.1")
        #expect(router.preflight(argos, context: &context) == nil)
        let match = try #require(context.route)
        #expect(match.path == "/webhooks/argos")
        #expect(match.segment == "tok7")
        // Respond trusts the match: a request whose head now names another path still goes to that route.
        let answer = Mutex<HTTPResponse?>(nil)
        router.respond(
            to: HTTPRequest(head: head("POST", "/elsewhere"), body: [], context: context, requestID: "1"),
            writer: HTTPResponseWriter { response in answer.withLock { $0 = response } }
        )
        #expect(answer.withLock { $0?.status } == 200)
        #expect(guarded.preflights.withLock { $0.count } == 1)
        let seen = try #require(guarded.contexts.withLock { $0.first })
        #expect(seen.route == "/webhooks/argos" && seen.segment == "tok7" && seen.admission == "key k")
        // A request that skipped preflight has no match: it is not routed a second way.
        router.respond(
            to: HTTPRequest(head: head("GET", "/healthz"), body: [], remoteAddress: "127.0.0.1", requestID: "2"),
            writer: HTTPResponseWriter { response in answer.withLock { $0 = response } }
        )
        #expect(answer.withLock { $0?.status } == 404)
    }
}

/// The router behind the real server: refusals before the body, and draining to keep the connection.
@Suite struct RouterEndToEndTests {
    @Test func notFoundAndMethodNotAllowedOverTheWire() async throws {
        try await withServer(responder: makeRouter()) { server in
            let client = try LoopbackClient(port: server.port)
            try client.send("GET /missing HTTP/1.1\r\nHost: t\r\n\r\n")
            let missing = try client.readResponse()
            #expect(missing.status == 404)
            #expect(missing.text == #"{"error":"not_found"}"#)
            #expect(missing.header("Content-Type") == "application/json")
            try client.send("GET /webhooks/gu1 HTTP/1.1\r\nHost: t\r\n\r\n")
            let wrong = try client.readResponse()
            #expect(wrong.status == 405)
            #expect(wrong.header("Allow") == "POST")
            try client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try client.readResponse().text == #"{"status":"ok"}"#)
        }
    }

    /// A refusal before the body drains exactly the declared body, and the connection serves the next
    /// request; the refused body never reaches a responder.
    @Test func earlyRefusalDrainsTheDeclaredBodyAndKeepsTheConnection() async throws {
        let guarded = GuardedResponder()
        try await withServer(responder: makeRouter(guarded: guarded)) { server in
            let client = try LoopbackClient(port: server.port)
            try client.send("POST /webhooks/gu1 HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n")
            let refused = try client.readResponse()
            #expect(refused.status == 401)
            #expect(refused.header("Connection") == nil)
            // The body follows the refusal; it is drained, not parsed as a request.
            try client.send("GET /")
            try client.send("x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            let next = try client.readResponse()
            #expect(next.status == 200)
            #expect(next.text == #"{"status":"ok"}"#)
            #expect(guarded.bodies.withLock { $0.isEmpty })
        }
    }

    @Test func earlyRefusalDrainsAChunkedBody() async throws {
        try await withServer(responder: makeRouter()) { server in
            let client = try LoopbackClient(port: server.port)
            try client.send(
                "POST /nowhere HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "4\r\nGET \r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
            )
            #expect(try client.readResponse().status == 404)
            #expect(try client.readResponse().status == 200)
        }
    }

    /// A client waiting for `100 Continue` gets the refusal instead (no 100), and the connection closes,
    /// since whether it will still send the body is unknown.
    @Test func earlyRefusalWithExpectContinueClosesWithout100() async throws {
        try await withServer(responder: makeRouter()) { server in
            let client = try LoopbackClient(port: server.port)
            try client.send(
                "POST /webhooks/gu1 HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n"
            )
            let refused = try client.readResponse()
            #expect(refused.status == 401)
            #expect(refused.header("Connection") == "close")
            #expect(client.waitForClose())
        }
    }

    @Test func acceptedRouteGetsBodyAndTrailingSegment() async throws {
        let guarded = GuardedResponder()
        try await withServer(responder: makeRouter(guarded: guarded)) { server in
            let client = try LoopbackClient(port: server.port)
            try client.send("POST /webhooks/argos/tok9 HTTP/1.1\r\nHost: t\r\nX-Key: k\r\nContent-Length: 2\r\n\r\n{}")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == #"{"path":"/webhooks/argos/tok9"}"#)
            #expect(guarded.bodies.withLock { $0 } == [Array("{}".utf8)])
            // One preflight per request, and what it matched and admitted reached `respond`.
            #expect(guarded.preflights.withLock { $0 } == ["/webhooks/argos/tok9"])
            let seen = guarded.contexts.withLock { $0 }
            #expect(seen.count == 1)
            #expect(seen.first?.route == "/webhooks/argos" && seen.first?.segment == "tok9")
            #expect(seen.first?.admission == "key k")
        }
    }
}
