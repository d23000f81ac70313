import Glibc
import Testing

@testable import WebhookHTTP

/// The `Date` field value: IMF-fixdate of the current second, formatted once per second.
@Suite struct ServerDateTests {
    @Test(arguments: [
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"), // the example of RFC 9110 §5.6.7
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
        (4_107_542_399, "Sun, 28 Feb 2100 23:59:59 GMT"),
        (4_107_542_400, "Mon, 01 Mar 2100 00:00:00 GMT"),
        (-1, "Wed, 31 Dec 1969 23:59:59 GMT"),
    ])
    func formatsIMFFixdate(second: Int, expected: String) {
        #expect(String(decoding: HTTPDate.format(second), as: UTF8.self) == expected)
    }

    /// Every day from 1900 to 2200, and times of day across them, agree with the C library's `gmtime_r`.
    @Test func agreesWithTheCLibrary() {
        var generator = SystemRandomNumberGenerator()
        var second = -2_208_988_800 // 1900-01-01
        while second < 7_258_118_400 { // 2200-01-01
            let instant = second + Int.random(in: 0..<86_400, using: &generator)
            var time = instant
            var parts = tm()
            gmtime_r(&time, &parts)
            var text = [CChar](repeating: 0, count: 64)
            let count = strftime(&text, text.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
            let expected = String(decoding: text[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let formatted = String(decoding: HTTPDate.format(instant), as: UTF8.self)
            if formatted != expected {
                Issue.record("\(instant): \(formatted), gmtime_r says \(expected)")
                return
            }
            second += 86_400
        }
    }

    /// The value is kept while the second does not change.
    @Test func formatsOncePerSecond() {
        var date = HTTPDate()
        let first = date.value(at: 784_111_777)
        #expect(date.second == 784_111_777)
        #expect(date.value(at: 784_111_777) == first)
        #expect(String(decoding: date.value(at: 784_111_778), as: UTF8.self) == "Sun, 06 Nov 1994 08:49:38 GMT")
        #expect(date.second == 784_111_778)
    }
}
