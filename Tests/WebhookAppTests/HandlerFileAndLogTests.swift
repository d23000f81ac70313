import Foundation
import Glibc
import Testing
import WebhookApp
import WebhookCore
import WebhookStore
import WebhookTesting

@Suite struct HandlerFileTests {
    /// Each event becomes one line equal to its JSON; the file and its parent directories are created, 0600.
    @Test func appendsTheEventJSONAsOneLinePerEvent() async throws {
        let directory = try HandlerTemporaryDirectory()
        let path = directory.file("nested/deeper/events.jsonl")
        let handler = FileEventHandler(path: path)
        let first = TestEvents.event(key: "kyc.validation_approved:one")
        let second = TestEvents.event(key: "kyc.validation_approved:two")
        try await handler.handle(first, context: context(for: first))
        try await handler.handle(second, context: context(for: second))

        let contents = try #require(FileManager.default.contents(atPath: path))
        #expect(Array(contents) == first.jsonBytes() + [10] + second.jsonBytes() + [10])
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    /// Many concurrent writers (two handler instances, one path) never interleave lines.
    @Test func concurrentAppendsNeverInterleave() async throws {
        let directory = try HandlerTemporaryDirectory()
        let path = directory.file("events.jsonl")
        let handlers = [FileEventHandler(path: path), FileEventHandler(path: path)]
        let count = 60
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                group.addTask {
                    let event = TestEvents.event(key: "kyc.validation_approved:subject-\(index)")
                    try await handlers[index % 2].handle(event, context: context(for: event))
                }
            }
            try await group.waitForAll()
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == count)
        #expect(text.hasSuffix("\n"))
        var keys = Set<String>()
        for line in lines {
            let event = try WebhookEvent(json: Array(line.utf8))
            #expect(Array(line.utf8) == event.jsonBytes())
            keys.insert(event.key)
        }
        #expect(keys.count == count)
    }

    /// A path that cannot be written fails with an error naming the path and the OS reason.
    @Test func unwritablePathFailsWithTheReason() async throws {
        let directory = try HandlerTemporaryDirectory()
        let blocker = directory.file("blocker")
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let path = blocker + "/events.jsonl"
        let event = TestEvents.event()
        let error = await #expect(throws: HandlerError.self) {
            try await FileEventHandler(path: path).handle(event, context: context(for: event))
        }
        #expect(error?.kind == .io)
        #expect(error?.description.contains(path) == true)
        #expect(error?.description.contains(TestEvents.payloadMarker) == false)
    }

    /// Through the dispatcher: a bad path fails and is retried; once fixed, the retry writes the line.
    /// A path still bad after `maxAttempts` makes the delivery dead; after a fix, a replay writes it.
    @Test func retriesUntilThePathIsFixedAndReplaysAfterDead() async throws {
        let directory = try HandlerTemporaryDirectory()
        let blocker = directory.file("data")
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let path = blocker + "/events.jsonl"
        let harness = DispatchHarness(
            handlers: [.init(name: "audit", handler: FileEventHandler(path: path), maxConcurrency: 1)],
            retry: RetryPolicy(maxAttempts: 3, initialDelay: .seconds(1), maxDelay: .seconds(4))
        )
        try await harness.start()
        let first = TestEvents.event(key: "kyc.validation_approved:first")
        try await harness.record(first, handlers: ["audit"])
        try await harness.results.wait(for: "audit", .failed)
        let failed = try await TestEvents.delivery(first.key, handler: "audit", in: harness.inbox)
        #expect(failed.lastError?.contains("Not a directory") == true)

        try FileManager.default.removeItem(atPath: blocker)
        try await harness.pump { harness.results.count("audit", .succeeded) == 1 }
        #expect(try await TestEvents.delivery(first.key, handler: "audit", in: harness.inbox).attempts == 2)
        #expect(
            try String(contentsOfFile: path, encoding: .utf8) == String(decoding: first.jsonBytes(), as: UTF8.self)
                + "\n"
        )

        // Dead, then replayed.
        try FileManager.default.removeItem(atPath: blocker)
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let second = TestEvents.event(key: "kyc.validation_approved:second")
        try await harness.record(second, handlers: ["audit"])
        try await harness.pump { harness.results.count("audit", .dead) == 1 }
        #expect(try await TestEvents.delivery(second.key, handler: "audit", in: harness.inbox).attempts == 3)
        try FileManager.default.removeItem(atPath: blocker)
        #expect(try await harness.inbox.replay(key: second.key, handler: nil, now: harness.clock.currentDate()) == 1)
        try await harness.pump { harness.results.count("audit", .succeeded) == 2 }
        #expect(
            try String(contentsOfFile: path, encoding: .utf8) == String(decoding: second.jsonBytes(), as: UTF8.self)
                + "\n"
        )
        try await harness.stop()
    }
}

@Suite struct HandlerLogTests {
    /// The log line identifies the event and carries no payload value, no external id, no rejection text.
    @Test func lineHasIdentifiersButNoPersonalData() async throws {
        var event = TestEvents.event()
        event.rejection = Rejection(code: "DOC_EXPIRED", reason: "name \(TestEvents.payloadMarker)", warnings: ["w"])
        let line = try await LogEventHandlerProbe.line(for: event)
        #expect(line.hasSuffix("}\n"))
        #expect(line.filter { $0 == "\n" }.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["key"] as? String == event.key)
        #expect(object["type"] as? String == event.type)
        #expect(object["source"] as? String == "gu1.kyc")
        #expect(object["outcome"] as? String == "approved")
        #expect(object["subjectId"] as? String == event.subjectId)
        #expect(object["receivedAt"] as? String == event.receivedAt)
        #expect(object["handler"] as? String == "log")
        #expect(object["attempt"] as? Int == 1)
        #expect(object["rejectionCode"] as? String == "DOC_EXPIRED")
        #expect(object["payload"] == nil)
        #expect(object["externalId"] == nil)
        #expect(!line.contains(TestEvents.payloadMarker))
        #expect(!line.contains(TestEvents.externalIdMarker))
    }

    /// Through the dispatcher, one line per event reaches the output.
    @Test func writesOneLinePerEventThroughTheDispatcher() async throws {
        let directory = try HandlerTemporaryDirectory()
        let path = directory.file("stdout.log")
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let output = try #require(FileHandle(forWritingAtPath: path))
        defer { try? output.close() }
        let harness = DispatchHarness(handlers: [.init(name: "log", handler: LogEventHandler(output: output))])
        try await harness.start()
        for index in 0..<5 {
            try await harness.record(TestEvents.event(key: "kyc.validation_approved:s-\(index)"), handlers: ["log"])
        }
        try await harness.results.wait(for: "log", .succeeded, count: 5)
        try await harness.stop()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 5)
        #expect(
            Set(
                lines.map { String($0) }.compactMap { line in
                    (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["key"] as? String
                }
            ) == Set((0..<5).map { "kyc.validation_approved:s-\($0)" })
        )
    }

    /// An output that cannot be written fails the attempt with an I/O error.
    @Test func unwritableOutputFails() async throws {
        let directory = try HandlerTemporaryDirectory()
        let path = directory.file("readonly.log")
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let readOnly = try #require(FileHandle(forReadingAtPath: path))
        defer { try? readOnly.close() }
        let event = TestEvents.event()
        let error = await #expect(throws: HandlerError.self) {
            try await LogEventHandler(output: readOnly).handle(event, context: context(for: event))
        }
        #expect(error?.kind == .io)
    }
}

/// Renders a log line through the handler itself, writing to a temporary file.
enum LogEventHandlerProbe {
    static func line(for event: WebhookEvent) async throws -> String {
        let directory = try HandlerTemporaryDirectory()
        let path = directory.file("log")
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        defer { try? handle.close() }
        try await LogEventHandler(output: handle).handle(event, context: context(for: event, handler: "log"))
        return try String(contentsOfFile: path, encoding: .utf8)
    }
}
