import Dispatch
import Foundation
import Testing
import WebhookApp
import WebhookTesting

@Suite struct LogInMemoryHandlerTests {
    /// Records are kept in order with their level, label and metadata; the logger's level still filters.
    @Test func collectsRecords() {
        let logs = InMemoryLogHandler()
        var logger = logs.logger(label: "pipeline", logLevel: .debug)
        logger[metadataKey: "request.id"] = "r1"
        logger.trace("Dropped by level")
        logger.debug("Request received", metadata: ["http.route": "/webhooks/gu1"])
        logger.warning("Signature invalid", metadata: ["http.status": "401"])

        let records = logs.records
        #expect(records.map(\.message) == ["Request received", "Signature invalid"])
        #expect(records.map(\.level) == [.debug, .warning])
        #expect(records.allSatisfy { $0.label == "pipeline" && $0.metadata["request.id"] == "r1" })
        #expect(records[0].metadata["http.route"] == "/webhooks/gu1")
        #expect(logs.records(atLeast: .warning).map(\.message) == ["Signature invalid"])
        #expect(logs.messages == ["Request received", "Signature invalid"])

        logs.removeAll()
        #expect(logs.records.isEmpty)
    }

    /// The text rendering shows every metadata key, even one the production handler would drop, so that a
    /// scan for forbidden content sees what the code tried to log; the JSON rendering is the production one.
    @Test func rendersTextAndJSONLines() throws {
        let logs = InMemoryLogHandler()
        let logger = logs.logger(label: "app")
        logger.info("Started", metadata: ["listen.port": "8080"])
        logger.error("Oops", metadata: ["webhook.signature": "deadbeef"])

        #expect(logs.text == "info app: Started listen.port=8080\nerror app: Oops webhook.signature=deadbeef")
        #expect(logs.text.contains("deadbeef"))
        #expect(!logs.jsonLines.contains("deadbeef"))
        let lines = logs.jsonLines.split(separator: "\n")
        #expect(lines.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["listen.port"] as? String == "8080")
    }

    /// Records logged from many threads are all kept.
    @Test func collectsFromManyThreads() {
        let logs = InMemoryLogHandler()
        let logger = logs.logger()
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for index in 0..<500 {
                logger.info("Tick", metadata: ["n": "\(thread)-\(index)"])
            }
        }
        #expect(logs.records.count == 4000)
        #expect(Set(logs.records.compactMap { $0.metadata["n"] }).count == 4000)
    }
}
