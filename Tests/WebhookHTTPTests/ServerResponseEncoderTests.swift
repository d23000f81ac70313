import Testing

@testable import WebhookHTTP

private let dateText = "Sun, 06 Nov 1994 08:49:37 GMT"
private let date = Array(dateText.utf8)

/// Response heads as the server writes them.
@Suite struct ServerResponseEncoderTests {
    @Test func noContentHasNoContentLength() {
        var buffer: [UInt8] = []
        HTTPResponseEncoder.encodeHead(
            HTTPResponse(status: 204),
            options: .init(close: false, keepAliveHeader: true, omitBody: false),
            date: date,
            into: &buffer
        )
        #expect(
            String(decoding: buffer, as: UTF8.self)
                == "HTTP/1.1 204 No Content\r\nDate: \(dateText)\r\nConnection: keep-alive\r\n\r\n"
        )
    }

    @Test func emptyBodyStillHasContentLength() {
        var buffer: [UInt8] = []
        HTTPResponseEncoder.encodeHead(
            HTTPResponse(status: 200),
            options: .init(close: false, keepAliveHeader: false, omitBody: false),
            date: date,
            into: &buffer
        )
        #expect(
            String(decoding: buffer, as: UTF8.self)
                == "HTTP/1.1 200 OK\r\nDate: \(dateText)\r\nContent-Length: 0\r\n\r\n"
        )
    }

    @Test func responseEncoderWritesFramingFieldsAndDropsUnsafeOnes() {
        var fields = HTTPFields()
        fields.append(name: "Content-Length", value: "999")
        fields.append(name: "date", value: "Thu, 01 Jan 1970 00:00:00 GMT")
        fields.append(name: "X-Ok", value: "yes")
        fields.append(name: "X-Bad", value: "a\r\nInjected: 1")
        fields.append(name: "Bad Name", value: "v")
        var buffer: [UInt8] = []
        HTTPResponseEncoder.encodeHead(
            HTTPResponse(status: 404, fields: fields, body: Array("abc".utf8)),
            options: .init(close: true, keepAliveHeader: false, omitBody: false),
            date: date,
            into: &buffer
        )
        #expect(
            String(decoding: buffer, as: UTF8.self)
                == "HTTP/1.1 404 Not Found\r\nDate: \(dateText)\r\nX-Ok: yes\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"
        )
    }
}
