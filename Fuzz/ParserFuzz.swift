// libFuzzer entry for the HTTP/1.1 request parser. Built by scripts/fuzz-parser.sh, which compiles this file
// together with Sources/WebhookHTTP/Parser/*.swift and Sources/WebhookHTTP/HTTP/*.swift into one module
// (`swiftc -sanitize=fuzzer,address -parse-as-library`): an executable target built by `swift build` with
// the fuzzer sanitizer does not link on this toolchain (docs/architecture.md, "Trust checks").
//
// Input layout: the first byte chooses the limits and where to split; the rest is one connection's bytes.
// Besides crashes and sanitizer reports, it traps when an invariant breaks:
// - `consumed` is within the input; body ranges lie inside the input, are non-empty and end at `consumed`;
// - a failed parser stays failed and consumes nothing;
// - the parser makes progress (no endless run of events without consuming);
// - the decisions are the same fed whole, in two pieces, in three pieces, and one byte at a time.

/// One decision, with body bytes copied out and merged so that different splits compare equal.
enum FuzzEvent: Equatable {
    case head(HTTPRequestHead)
    case body([UInt8])
    case end
    case error(HTTPParserError)
    case pending(Bool)
}

/// Feeds `bytes` in pieces starting at `cuts`, as the server does, checking the per-call invariants.
func fuzzTranscript(_ bytes: [UInt8], cuts: [Int], limits: HTTPParserLimits) -> [FuzzEvent] {
    var parser = HTTPRequestParser(limits: limits)
    var events: [FuzzEvent] = []
    var buffer: [UInt8] = []
    var idleCalls = 0
    let bounds = [0] + cuts + [bytes.count]
    for k in 0..<(bounds.count - 1) {
        buffer += bytes[bounds[k]..<bounds[k + 1]]
        while true {
            let result = buffer.withUnsafeBytes { parser.parse($0) }
            guard result.consumed >= 0 && result.consumed <= buffer.count else {
                fatalError("consumed \(result.consumed) of \(buffer.count)")
            }
            idleCalls = result.consumed == 0 ? idleCalls + 1 : 0
            guard idleCalls < 4 else { fatalError("no progress: \(result.event)") }
            switch result.event {
            case .needMore:
                idleCalls = 0 // the next call brings new bytes
                buffer.removeFirst(result.consumed)
                if k == bounds.count - 2 {
                    events.append(.pending(!parser.isAtRequestBoundary || !buffer.isEmpty))
                }
            case .head(let head):
                events.append(.head(head))
            case .body(let range):
                guard range.lowerBound >= 0, range.upperBound == result.consumed, !range.isEmpty else {
                    fatalError("body range \(range) with consumed \(result.consumed) of \(buffer.count)")
                }
                if case .body(let earlier)? = events.last {
                    events[events.count - 1] = .body(earlier + buffer[range])
                } else {
                    events.append(.body(Array(buffer[range])))
                }
            case .end:
                events.append(.end)
            case .error(let error):
                events.append(.error(error))
                let again = buffer.withUnsafeBytes { parser.parse($0) }
                guard again == HTTPParseResult(consumed: 0, event: .error(error)) else {
                    fatalError("a failed parser went on: \(again)")
                }
                return events
            }
            if result.event == .needMore { break }
            buffer.removeFirst(result.consumed)
        }
    }
    return events
}

@_cdecl("LLVMFuzzerTestOneInput")
public func parserFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let control = data[0]
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let limits =
        control & 1 == 0
        ? HTTPParserLimits()
        : HTTPParserLimits(maxHeaderBytes: 200, maxTargetLength: 40, maxFieldCount: 6, maxBodyBytes: 300)
    let whole = fuzzTranscript(input, cuts: [], limits: limits)
    guard input.count > 1 else { return 0 }
    let cut = 1 + Int(control >> 1) % (input.count - 1)
    let two = fuzzTranscript(input, cuts: [cut], limits: limits)
    guard two == whole else { fatalError("split at \(cut) decided \(two), whole decided \(whole)") }
    if cut > 1 {
        let three = fuzzTranscript(input, cuts: [cut / 2, cut], limits: limits)
        guard three == whole else { fatalError("split at \(cut / 2), \(cut) decided \(three), whole \(whole)") }
    }
    if input.count <= 1024 {
        let bytewise = fuzzTranscript(input, cuts: Array(1..<input.count), limits: limits)
        guard bytewise == whole else { fatalError("byte at a time decided \(bytewise), whole decided \(whole)") }
    }
    return 0
}
