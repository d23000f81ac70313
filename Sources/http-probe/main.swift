// Reads raw HTTP request bytes on stdin and prints the parser's decisions, one line each, for the
// differential test (Tests/differential/http_differential.py).
//
// Usage: http-probe [--batch] [--max-body N] [--max-header N]
//   One case: stdin is the raw bytes of a connection's input.
//   --batch: stdin is a sequence of cases, each a 4-byte big-endian length then that many bytes; the output
//   of each case ends with a line `done`.
//
// Output of a case, each request in order:
//   head OFFSET METHOD_HEX TARGET_HEX VERSION KEEPALIVE(0|1) CONTINUE(0|1) FRAMING(none|length:N|chunked)
//   end BODY_HEX|-
// then exactly one of:
//   error NAME STATUS OFFSET POS   the request starting at OFFSET was refused; the byte at POS decided it
//                                  (the shortest prefix of the input that is refused ends there)
//   incomplete OFFSET          the input ended inside the request starting at OFFSET
//   eof                        the input ended at a request boundary
//   close                      a request without keep-alive ended; the rest is not read
import Foundation
import WebhookHTTP

func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0x0F)])
    }
    return out.isEmpty ? "-" : String(decoding: out, as: UTF8.self)
}

func name(of error: HTTPParserError) -> String {
    switch error {
    case .invalidRequestLine: return "invalidRequestLine"
    case .unsupportedVersion: return "unsupportedVersion"
    case .invalidTarget: return "invalidTarget"
    case .targetTooLong: return "targetTooLong"
    case .invalidField: return "invalidField"
    case .headerTooLarge: return "headerTooLarge"
    case .invalidContentLength: return "invalidContentLength"
    case .conflictingFraming: return "conflictingFraming"
    case .invalidTransferEncoding: return "invalidTransferEncoding"
    case .unsupportedTransferEncoding: return "unsupportedTransferEncoding"
    case .chunkedNotLast: return "chunkedNotLast"
    case .transferEncodingOnHTTP10: return "transferEncodingOnHTTP10"
    case .invalidHost: return "invalidHost"
    case .invalidChunk: return "invalidChunk"
    case .bodyTooLarge: return "bodyTooLarge"
    case .invalidFieldValue: return "invalidFieldValue"
    }
}

/// Whether the parser refuses some request in `bytes`, fed whole.
func isRefused(_ bytes: ArraySlice<UInt8>, limits: HTTPParserLimits) -> Bool {
    var parser = HTTPRequestParser(limits: limits)
    var offset = bytes.startIndex
    while true {
        let result = bytes.withUnsafeBytes {
            parser.parse(UnsafeRawBufferPointer(rebasing: $0[(offset - bytes.startIndex)...]))
        }
        offset += result.consumed
        switch result.event {
        case .needMore: return false
        case .error: return true
        case .head, .body, .end: continue
        }
    }
}

/// The index of the byte that decided a refusal: the end of the shortest refused prefix. Refusal is monotone
/// in the prefix length (the parser decides the same for any split and stays failed), so bisect.
func decidingByte(_ bytes: [UInt8], limits: HTTPParserLimits) -> Int {
    var low = 0 // a prefix of this length is not refused
    var high = bytes.count // a prefix of this length is refused
    while high - low > 1 {
        let middle = (low + high) / 2
        if isRefused(bytes[..<middle], limits: limits) { high = middle } else { low = middle }
    }
    return high - 1
}

/// Runs the parser over one connection's input, as the server does, and returns the output lines.
func decide(_ bytes: [UInt8], limits: HTTPParserLimits) -> [String] {
    var parser = HTTPRequestParser(limits: limits)
    var lines: [String] = []
    var offset = 0
    var messageStart = 0
    var body: [UInt8] = []
    var keepAlive = true
    while true {
        let result = bytes.withUnsafeBytes { parser.parse(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
        let base = offset
        offset += result.consumed
        switch result.event {
        case .needMore:
            lines.append(offset == bytes.count && parser.isAtRequestBoundary ? "eof" : "incomplete \(messageStart)")
            return lines
        case .head(let head):
            let version = head.version == .http1_1 ? "1.1" : "1.0"
            let framing: String
            switch head.framing {
            case .none: framing = "none"
            case .length(let n): framing = "length:\(n)"
            case .chunked: framing = "chunked"
            }
            keepAlive = head.isKeepAlive
            lines.append(
                "head \(messageStart) \(hex(head.method.utf8)) \(hex(head.target.utf8)) \(version) "
                    + "\(head.isKeepAlive ? 1 : 0) \(head.expectsContinue ? 1 : 0) \(framing)"
            )
        case .body(let range):
            body += bytes[(base + range.lowerBound)..<(base + range.upperBound)]
        case .end:
            lines.append("end \(hex(body))")
            body = []
            messageStart = offset
            if !keepAlive {
                lines.append("close")
                return lines
            }
        case .error(let error):
            let position = decidingByte(bytes, limits: limits)
            lines.append("error \(name(of: error)) \(error.status) \(messageStart) \(position)")
            return lines
        }
    }
}

var limits = HTTPParserLimits()
var batch = false
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--batch": batch = true
    case "--max-body": limits.maxBodyBytes = Int(arguments.next() ?? "") ?? limits.maxBodyBytes
    case "--max-header": limits.maxHeaderBytes = Int(arguments.next() ?? "") ?? limits.maxHeaderBytes
    default:
        FileHandle.standardError.write(Data("http-probe: unknown argument \(argument)\n".utf8))
        exit(2)
    }
}

let input = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
var output = ""
if batch {
    var i = 0
    while i + 4 <= input.count {
        let length = input[i..<(i + 4)].reduce(0) { $0 << 8 | Int($1) }
        i += 4
        guard i + length <= input.count else { break }
        for line in decide(Array(input[i..<(i + length)]), limits: limits) { output += line + "\n" }
        output += "done\n"
        i += length
    }
} else {
    for line in decide(input, limits: limits) { output += line + "\n" }
}
FileHandle.standardOutput.write(Data(output.utf8))
