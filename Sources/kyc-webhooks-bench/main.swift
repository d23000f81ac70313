// Micro-benchmark of the receive path's CPU work per request (issue #3): signature parse, HMAC-SHA256
// verify over the raw body, Gu1 decode into the event model, and the event JSON handlers receive.
// Run by bench/run.sh beside the Hummingbird peer's HMACBench, in the same run. Not a test.
//
//   kyc-webhooks-bench BODY_FILE SIG_FILE SECRET [ITERATIONS]
//   kyc-webhooks-bench --serve-noop PORT      the bare listener: POST/GET anything → 200 {"ok":true}
import Foundation
import WebhookCore
import WebhookCrypto
import WebhookHTTP

/// Answers every request with a fixed 200, like the Hummingbird peer's noop route.
struct NoopResponder: HTTPResponder {
    func respond(to request: HTTPRequest, writer: HTTPResponseWriter) {
        writer.write(.json(200, #"{"ok":true}"#))
    }
}

let arguments = CommandLine.arguments
if arguments.count == 3, arguments[1] == "--serve-noop", let port = Int(arguments[2]) {
    let server = HTTPServer(configuration: HTTPServerConfiguration(port: port), responder: NoopResponder())
    try server.start()
    print("listening on http://127.0.0.1:\(server.port)")
    server.wait()
    exit(0)
}
guard arguments.count >= 4,
    let bodyData = FileManager.default.contents(atPath: arguments[1]),
    let sigData = FileManager.default.contents(atPath: arguments[2])
else {
    FileHandle.standardError.write(Data("usage: kyc-webhooks-bench BODY_FILE SIG_FILE SECRET [ITERATIONS]\n".utf8))
    exit(2)
}
let body = Array(bodyData)
let signature = String(decoding: sigData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
let secret = Array(arguments[3].utf8)
// Prepared once, as a route prepares its secrets when the configuration loads.
let key = HMACSHA256.Key(secret)
let iterations = arguments.count > 4 ? Int(arguments[4]) ?? 200_000 : 200_000
let context = DecodeContext(route: "/webhooks/gu1", receivedAt: "2026-11-22T10:00:00.000Z", deliveryId: nil)

/// One request's work; returns a byte count so the optimizer keeps it.
@inline(never)
func receiveOnce() -> Int {
    guard let mac = Hex.decode(signature),
        body.withUnsafeBytes({ key.isValid(mac, for: $0) })
    else { fatalError("signature does not verify: check SECRET") }
    guard let event = try? Gu1Decoder.decode(body: body, context: context) else { fatalError("body does not decode") }
    return event.jsonBytes().count
}

func measure(_ label: String, _ count: Int, _ work: () -> Int) -> Double {
    var sink = 0
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<count { sink &+= work() }
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start)
    let perOp = elapsed / Double(count) / 1000
    print(String(format: "%@ %.2f us/op (%d ops, sink %d)", label, perOp, count, sink))
    return perOp
}

_ = measure("warmup", iterations / 10, receiveOnce)
let verifyOnly = measure("verify", iterations) {
    let mac = Hex.decode(signature)!
    return body.withUnsafeBytes { key.isValid(mac, for: $0) ? 1 : 0 }
}
let decodeOnly = measure("decode", iterations) {
    (try? Gu1Decoder.decode(body: body, context: context))?.key.utf8.count ?? 0
}
let total = measure("verify+decode+encode", iterations, receiveOnce)
print(
    String(
        format: "BENCH_MICRO body_bytes=%d verify_us=%.2f decode_us=%.2f total_us=%.2f",
        body.count,
        verifyOnly,
        decodeOnly,
        total
    )
)
