/// A response to write. The server adds `Content-Length` (always) and `Connection: close` when it closes.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var fields: HTTPFields
    public var body: [UInt8]

    public init(status: Int, fields: HTTPFields = HTTPFields(), body: [UInt8] = []) {
        self.status = status
        self.fields = fields
        self.body = body
    }

    /// A JSON response with `Content-Type: application/json`.
    public static func json(_ status: Int, _ body: String, fields: HTTPFields = HTTPFields()) -> HTTPResponse {
        var fields = fields
        fields.append(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: status, fields: fields, body: Array(body.utf8))
    }

    /// A JSON error answer: `{"error":"<code>"}`, or `{"error":"<code>","detail":"<detail>"}` with a detail.
    ///
    /// Every error body is built here, the server's, the router's and the application's alike (the table of
    /// docs/reference.md §4), so their shape cannot drift apart.
    ///
    /// - Parameters:
    ///   - status: the status code.
    ///   - code: a fixed snake_case word (`not_found`, `invalid_signature`), written as is.
    ///   - detail: one sentence for the sender, escaped as a JSON string the way the event JSON is (`"`, `\`
    ///     and control characters; other bytes as they are).
    ///   - fields: more header fields (`Allow`, `Retry-After`); `Content-Type` is added.
    public static func error(
        _ status: Int,
        _ code: String,
        detail: String? = nil,
        fields: HTTPFields = HTTPFields()
    ) -> HTTPResponse {
        var fields = fields
        fields.append(name: "Content-Type", value: "application/json")
        var body = Array(#"{"error":""#.utf8)
        body += code.utf8
        body.append(UInt8(ascii: "\""))
        if let detail {
            body += #","detail":"#.utf8
            appendJSONString(detail, to: &body)
        }
        body.append(UInt8(ascii: "}"))
        return HTTPResponse(status: status, fields: fields, body: body)
    }

    /// Appends `text` as a JSON string literal (RFC 8259 §7).
    private static func appendJSONString(_ text: String, to body: inout [UInt8]) {
        let hexDigits = Array("0123456789abcdef".utf8)
        body.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): body += [UInt8(ascii: "\\"), byte]
            case 0x0A: body += Array(#"\n"#.utf8)
            case 0x0D: body += Array(#"\r"#.utf8)
            case 0x09: body += Array(#"\t"#.utf8)
            case 0x08: body += Array(#"\b"#.utf8)
            case 0x0C: body += Array(#"\f"#.utf8)
            case ..<0x20: body += Array(#"\u00"#.utf8) + [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
            default: body.append(byte)
            }
        }
        body.append(UInt8(ascii: "\""))
    }
}
