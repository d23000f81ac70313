import Dispatch
import Foundation
import Glibc
import Synchronization
import Testing
import WebhookApp

@Suite struct LogJSONLineTests {
    /// Collects the lines a handler hands to its sink.
    final class LineCollector: Sendable {
        private let lines = Mutex<[[UInt8]]>([])
        func append(_ line: [UInt8]) { lines.withLock { $0.append(line) } }
        var all: [[UInt8]] { lines.withLock { $0 } }
    }

    static func parse(_ line: [UInt8]) throws -> [String: Any] {
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.dropLast().contains(UInt8(ascii: "\n")) == false, "one record, one line")
        let object = try JSONSerialization.jsonObject(with: Data(line))
        return try #require(object as? [String: Any])
    }

    static func record(
        message: String = "Event recorded",
        metadata: [String: String] = [:],
        time: Date = Date(timeIntervalSince1970: 1_700_000_000.123)
    ) -> LogRecord {
        LogRecord(time: time, level: .info, label: "kyc-webhooks", message: message, metadata: metadata)
    }

    /// A record becomes one JSON object with time, level, message, label and its metadata, keys in a fixed order.
    @Test func lineParsesAndCarriesMetadata() throws {
        let collector = LineCollector()
        let logger = Logger(
            label: "kyc-webhooks",
            logLevel: .debug,
            metadata: ["request.id": "req-1", "http.route": "/webhooks/gu1"],
            handler: JSONLineLogHandler(sink: collector.append)
        )
        logger.debug(
            "Event recorded",
            metadata: [
                "http.status": "200", "webhook.key": "kyc.validation_approved:v1",
                "webhook.type": "kyc.validation_approved",
            ]
        )
        logger.trace("Below the level")

        let lines = collector.all
        try #require(lines.count == 1)
        let object = try Self.parse(lines[0])
        #expect(object["level"] as? String == "debug")
        #expect(object["message"] as? String == "Event recorded")
        #expect(object["label"] as? String == "kyc-webhooks")
        #expect(object["request.id"] as? String == "req-1")
        #expect(object["http.route"] as? String == "/webhooks/gu1")
        #expect(object["http.status"] as? String == "200")
        #expect(object["webhook.key"] as? String == "kyc.validation_approved:v1")
        #expect(object["webhook.type"] as? String == "kyc.validation_approved")
        let time = try #require(object["time"] as? String)
        #expect(time.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil)

        let text = String(decoding: lines[0], as: UTF8.self)
        #expect(text.hasPrefix(#"{"time":""#))
        #expect(text.contains(#"Z","level":"debug","message":"Event recorded","label":"kyc-webhooks","http.route""#))
        let keys = ["\"http.route\"", "\"http.status\"", "\"request.id\"", "\"webhook.key\"", "\"webhook.type\""]
        let positions = keys.compactMap { text.range(of: $0)?.lowerBound }
        #expect(positions.count == keys.count && positions == positions.sorted(), "metadata keys sorted")
    }

    @Test(
        "Timestamps in UTC with milliseconds",
        arguments: [
            (1_700_000_000.123, "2023-11-14T22:13:20.123Z"),
            (0, "1970-01-01T00:00:00.000Z"),
            (-0.25, "1969-12-31T23:59:59.750Z"),
            (951_782_400.5, "2000-02-29T00:00:00.500Z"),
            (1_709_164_799.999, "2024-02-28T23:59:59.999Z"),
            (1_709_251_199.0, "2024-02-29T23:59:59.000Z"),
            (4_102_444_800, "2100-01-01T00:00:00.000Z"),
        ]
    )
    func formatsTimestamps(seconds: Double, expected: String) throws {
        let line = JSONLineLogHandler.encode(Self.record(time: Date(timeIntervalSince1970: seconds)))
        let object = try Self.parse(line)
        #expect(object["time"] as? String == expected)
    }

    /// The timestamp agrees with Foundation's ISO 8601 formatter over many dates (whole milliseconds).
    /// Below the logger's level, neither the message nor the metadata is built (debug lines sit on the
    /// request path); at or above it, both are, once.
    @Test func disabledLevelsBuildNoMessageOrMetadata() {
        let handler = CapturingLogHandler()
        let logger = Logger(label: "kyc-webhooks", logLevel: .info, handler: handler)
        let built = Mutex(0)
        func metadata() -> [String: String] {
            built.withLock { $0 += 1 }
            return ["webhook.key": "k"]
        }
        func message() -> String {
            built.withLock { $0 += 1 }
            return "event recorded"
        }
        logger.debug(message(), metadata: metadata())
        logger.trace(message(), metadata: metadata())
        logger.log(.debug, message(), metadata: metadata())
        #expect(built.withLock { $0 } == 0)
        #expect(handler.all.isEmpty)
        logger.info(message(), metadata: metadata())
        #expect(built.withLock { $0 } == 2)
        #expect(handler.all.map(\.metadata) == [["webhook.key": "k"]])
    }

    @Test func timestampsAgreeWithFoundation() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var seconds: Int64 = -2_208_988_800 // 1900-01-01
        while seconds < 4_102_444_800 { // 2100-01-01
            let date = Date(timeIntervalSince1970: Double(seconds) + 0.25)
            let object = try Self.parse(JSONLineLogHandler.encode(Self.record(time: date)))
            #expect(object["time"] as? String == formatter.string(from: date))
            seconds += 7_777_777
        }
    }

    /// Keys containing secret, signature, token, password, authorization, body or payload are never written:
    /// neither the key nor its value, and the count of dropped keys says something was dropped.
    @Test func deniedKeysAreNotEmitted() throws {
        let metadata = [
            "webhook.signature": "sig-value-1",
            "Authorization": "Bearer auth-value-2",
            "request.body": "body-value-3",
            "argos.token": "token-value-4",
            "route.secret": "secret-value-5",
            "db.password": "password-value-6",
            "event.payload": "payload-value-7",
            "X-Webhook-Signature": "sig-value-8",
            "webhook.key": "kyc.validation_approved:v1",
        ]
        let line = JSONLineLogHandler.encode(Self.record(metadata: metadata))
        let object = try Self.parse(line)
        let text = String(decoding: line, as: UTF8.self)
        for (key, value) in metadata where key != "webhook.key" {
            #expect(object[key] == nil, "\(key) emitted")
            #expect(!text.contains(value), "\(key)'s value emitted")
            #expect(LogMetadataPolicy.isDenied(key: key))
        }
        #expect(object["webhook.key"] as? String == "kyc.validation_approved:v1")
        #expect(object[LogMetadataPolicy.droppedKeysKey] as? Int == 8)
    }

    @Test(
        "Ordinary keys pass the policy",
        arguments: ["request.id", "http.route", "http.status", "webhook.key", "webhook.type", "handler.name", "error"]
    )
    func ordinaryKeysPass(key: String) {
        #expect(!LogMetadataPolicy.isDenied(key: key))
    }

    /// Quotes, backslashes, control characters, line separators and non-ASCII text round-trip through JSON,
    /// and the line stays one line.
    @Test func escapesSpecialCharacters() throws {
        let message =
            "quote \" backslash \\ newline \n return \r tab \t nul \u{0} bell \u{7} del \u{7F} sep \u{2028} \u{2029} é ü 日本 🚀"
        let value = "line1\nline2 \"quoted\" \u{1F} \\"
        let line = JSONLineLogHandler.encode(Self.record(message: message, metadata: ["error": value, "k\"ey\n": "v"]))
        let object = try Self.parse(line)
        #expect(object["message"] as? String == message)
        #expect(object["error"] as? String == value)
        #expect(object["k\"ey\n"] as? String == "v")
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.contains(#"\u0000"#))
        #expect(text.contains(#"\u007f"#))
        #expect(text.contains(#"\u2028 \u2029"#))
        #expect(text.contains(#"\u001f"#))
        #expect(text.contains("日本 🚀"), "non-ASCII is written as UTF-8")
    }

    /// A metadata key named like a fixed field does not make a duplicate JSON key.
    @Test func reservedKeysAreRenamed() throws {
        let line = JSONLineLogHandler.encode(Self.record(metadata: ["message": "other", "level": "x"]))
        let object = try Self.parse(line)
        #expect(object["message"] as? String == "Event recorded")
        #expect(object["metadata.message"] as? String == "other")
        #expect(object["metadata.level"] as? String == "x")
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.components(separatedBy: #""message":"#).count == 2)
    }

    /// Very long values are cut on a character boundary so that a line stays bounded.
    @Test func longValuesAreTruncated() throws {
        let long = String(repeating: "é", count: 5000)
        let object = try Self.parse(JSONLineLogHandler.encode(Self.record(metadata: ["error": long])))
        let value = try #require(object["error"] as? String)
        #expect(value.utf8.count <= JSONLineLogHandler.maximumValueBytes)
        #expect(value.hasSuffix("…"))
        #expect(value.dropLast().allSatisfy { $0 == "é" })
    }

    /// Lines written to a file descriptor from many threads at once never interleave: every line parses
    /// and every record is there exactly once.
    @Test func linesFromManyThreadsNeverInterleave() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("log-\(UUID().uuidString).jsonl").path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        defer {
            close(fd)
            unlink(path)
        }
        let handler = JSONLineLogHandler(fileDescriptor: fd)
        let threads = 8
        let perThread = 100
        let filler = String(repeating: "x", count: 1500) // lines of ~6 KB: more than PIPE_BUF
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let logger = Logger(
                label: "t\(thread)",
                metadata: ["a": filler, "b": filler, "c": filler, "d": filler],
                handler: handler
            )
            for index in 0..<perThread {
                logger.info("Line", metadata: ["thread": String(thread), "index": String(index)])
            }
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let lines = data.split(separator: UInt8(ascii: "\n"))
        #expect(lines.count == threads * perThread)
        var seen = Set<String>()
        for line in lines {
            let object = try Self.parse(Array(line) + [UInt8(ascii: "\n")])
            let thread = try #require(object["thread"] as? String)
            let index = try #require(object["index"] as? String)
            #expect(object["a"] as? String == filler)
            seen.insert("\(thread)/\(index)")
        }
        #expect(seen.count == threads * perThread)
    }
}
