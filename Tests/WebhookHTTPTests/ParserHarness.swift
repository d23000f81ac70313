import Testing
import WebhookHTTP

/// One request as the harness saw it: its head, its de-chunked body, and whether `.end` came.
struct ParsedMessage: Equatable, CustomStringConvertible {
    var head: HTTPRequestHead
    var body: [UInt8]
    var isComplete: Bool

    var description: String {
        "\(head.method) \(head.target) body=\(body.count) complete=\(isComplete)"
    }
}

/// Everything the parser decided about one connection's input: the requests, then a refusal if any.
struct Transcript: Equatable, CustomStringConvertible {
    var messages: [ParsedMessage] = []
    var refusal: HTTPParserError?
    /// Whether the input ended with bytes of an unfinished request (head or body) pending.
    var isPending = false

    var description: String {
        "messages=\(messages) error=\(refusal.map { "\($0)" } ?? "none") pending=\(isPending)"
    }
}

/// Feeds request bytes to a parser the way the server does, in pieces, and records the decisions.
enum ParserHarness {
    /// Feeds `bytes` in the pieces given by `cuts` (increasing offsets where a new piece starts).
    ///
    /// Like the server, it keeps the unconsumed bytes and presents them again with the next piece, and it
    /// checks the parser's invariants on every call: `consumed` within the input, body ranges inside the
    /// input and ending at `consumed`, a failed parser staying failed and consuming nothing.
    static func feed(
        _ bytes: [UInt8],
        cuts: [Int],
        limits: HTTPParserLimits = HTTPParserLimits(),
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Transcript {
        var parser = HTTPRequestParser(limits: limits)
        var transcript = Transcript()
        var buffer: [UInt8] = []
        var steps = 0
        let bounds = [0] + cuts + [bytes.count]
        for k in 0..<(bounds.count - 1) {
            buffer += bytes[bounds[k]..<bounds[k + 1]]
            while true {
                steps += 1
                if steps > 4 * bytes.count + 64 {
                    Issue.record("parser made no progress", sourceLocation: sourceLocation)
                    return transcript
                }
                let result = buffer.withUnsafeBytes { parser.parse($0) }
                if result.consumed < 0 || result.consumed > buffer.count {
                    Issue.record("consumed \(result.consumed) of \(buffer.count)", sourceLocation: sourceLocation)
                    return transcript
                }
                switch result.event {
                case .needMore:
                    buffer.removeFirst(result.consumed)
                    transcript.isPending = !parser.isAtRequestBoundary || !buffer.isEmpty
                case .head(let head):
                    transcript.messages.append(ParsedMessage(head: head, body: [], isComplete: false))
                case .body(let range):
                    guard range.lowerBound >= 0, range.upperBound == result.consumed, !range.isEmpty,
                        !transcript.messages.isEmpty
                    else {
                        Issue.record(
                            "bad body range \(range), consumed \(result.consumed)",
                            sourceLocation: sourceLocation
                        )
                        return transcript
                    }
                    transcript.messages[transcript.messages.count - 1].body += buffer[range]
                case .end:
                    guard !transcript.messages.isEmpty else {
                        Issue.record(".end without a head", sourceLocation: sourceLocation)
                        return transcript
                    }
                    transcript.messages[transcript.messages.count - 1].isComplete = true
                case .error(let error):
                    transcript.refusal = error
                    transcript.isPending = false
                    let again = buffer.withUnsafeBytes { parser.parse($0) }
                    if again != HTTPParseResult(consumed: 0, event: .error(error)) || parser.error != error {
                        Issue.record("a failed parser did not stay failed: \(again)", sourceLocation: sourceLocation)
                    }
                    return transcript
                }
                if result.event == .needMore { break }
                buffer.removeFirst(result.consumed)
            }
        }
        return transcript
    }

    /// The decisions for `bytes` fed whole, after checking that every two-piece split and byte-at-a-time
    /// feeding give the same decisions.
    static func decisions(
        _ bytes: [UInt8],
        limits: HTTPParserLimits = HTTPParserLimits(),
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> Transcript {
        let whole = feed(bytes, cuts: [], limits: limits, sourceLocation: sourceLocation)
        if bytes.count > 1 {
            for cut in 1..<bytes.count {
                let split = feed(bytes, cuts: [cut], limits: limits, sourceLocation: sourceLocation)
                if split != whole {
                    Issue.record(
                        "split at \(cut) decided \(split), whole input decided \(whole)",
                        sourceLocation: sourceLocation
                    )
                    break
                }
            }
            let bytewise = feed(bytes, cuts: Array(1..<bytes.count), limits: limits, sourceLocation: sourceLocation)
            if bytewise != whole {
                Issue.record(
                    "byte at a time decided \(bytewise), whole input decided \(whole)",
                    sourceLocation: sourceLocation
                )
            }
        }
        return whole
    }
}

extension Array where Element == UInt8 {
    /// The UTF-8 bytes of a request written as a Swift string (use `\r\n`, `\u{0}` for control bytes).
    init(request: String) {
        self = Array(request.utf8)
    }
}
