import Testing
import WebhookCore
import WebhookHTTP

/// The one factory of error bodies (`HTTPResponse.error`), which the server, the router and the receive path
/// all use.
@Suite struct ErrorResponseTests {
    @Test func bodyWithoutAndWithDetail() {
        let plain = HTTPResponse.error(404, "not_found")
        #expect(plain.status == 404)
        #expect(String(decoding: plain.body, as: UTF8.self) == #"{"error":"not_found"}"#)
        #expect(plain.fields["Content-Type"] == "application/json")
        let detailed = HTTPResponse.error(
            503,
            "unavailable",
            detail: "try later",
            fields: HTTPFields([.init(name: "Retry-After", value: "5")])
        )
        #expect(String(decoding: detailed.body, as: UTF8.self) == #"{"error":"unavailable","detail":"try later"}"#)
        #expect(detailed.fields["Retry-After"] == "5")
    }

    /// A detail is escaped exactly as the event JSON escapes strings (`JSONText.quoted`), byte for byte.
    @Test(
        "detail escaping",
        arguments: [
            "plain", #"quote " and backslash \"#, "line\nbreak\r\ttab", "\u{0}\u{1}\u{8}\u{C}\u{1F}\u{7F}",
            "é ü 日本 😀", #"missing "payload" member"#, "",
        ]
    )
    func detailIsEscapedAsTheEventJSONIs(detail: String) {
        let body = String(decoding: HTTPResponse.error(400, "invalid_payload", detail: detail).body, as: UTF8.self)
        #expect(body == #"{"error":"invalid_payload","detail":"# + JSONText.quoted(detail) + "}")
    }
}
