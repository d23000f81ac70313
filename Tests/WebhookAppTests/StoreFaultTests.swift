import Foundation
import Glibc
import Synchronization
import Testing
import WebhookApp
import WebhookCore
import WebhookCrypto
import WebhookStore
import WebhookTesting

/// What the daemon does when its store cannot commit: 503 on webhooks and on `/readyz` (so a load balancer
/// routes away), 200 again once it can, and no delivery left `running` when its end could not be recorded.
@Suite(.serialized) struct StoreFaultTests {
    /// A small tmpfs mounted for the test (the tests run as root, as CI does): a real full file system.
    final class SmallFileSystem: Sendable {
        let path: String

        init(megabytes: Int) throws {
            path = FileManager.default.temporaryDirectory.appendingPathComponent("kyc-tmpfs-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let status = mount("tmpfs", path, "tmpfs", 0, "size=\(megabytes)m,mode=0700")
            guard status == 0 else {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(atPath: path)
                throw TestFailure("mounting a tmpfs needs root (mount: \(reason)); run the tests as CI does")
            }
        }

        /// Writes zeros to `filler` until the file system is full.
        func fill() throws {
            let handle = try #require(
                FileHandle(forWritingAtPath: filler)
                    ?? {
                        _ = FileManager.default.createFile(atPath: filler, contents: nil)
                        return FileHandle(forWritingAtPath: filler)
                    }()
            )
            defer { try? handle.close() }
            let chunk = Data(count: 64 * 1024)
            while (try? handle.write(contentsOf: chunk)) != nil {}
            // The last few bytes a 64 KiB chunk did not fit.
            while (try? handle.write(contentsOf: Data(count: 512))) != nil {}
        }

        /// Frees what ``fill()`` took.
        func free() {
            try? FileManager.default.removeItem(atPath: filler)
        }

        private var filler: String { path + "/filler" }

        deinit {
            _ = umount2(path, Int32(MNT_DETACH))
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func configuration(storePath: String) -> String {
        """
        {
          "listen": {"host": "127.0.0.1", "port": 0},
          "store": {"kind": "sqlite", "path": "\(storePath)"},
          "routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"env": "GU1_SECRET"}]}],
          "handlers": []
        }
        """
    }

    static func body(_ index: Int) -> [UInt8] {
        let padding = String(repeating: "x", count: 1500)
        return Array(
            """
            {"event":"kyc.validation_created","timestamp":"2025-01-07T10:00:00Z",\
            "payload":{"id":"fault-\(index)","status":"created","note":"\(padding)"}}
            """.utf8
        )
    }

    static func post(_ app: TestApplication, _ body: [UInt8]) async throws -> LoopbackResponse {
        let signature = Hex.encode(HMACSHA256.authenticationCode(for: body, key: Array("whsec_fault".utf8)))
        return try await app.post("/webhooks/gu1", body: body, headers: [("X-Webhook-Signature", signature)])
    }

    @Test func aFullFileSystemTakesReadinessDownAndNoDeliveryStaysRunning() async throws {
        let disk = try SmallFileSystem(megabytes: 6)
        let gate = Gate()
        let recorder = RecordingHandler { _, _ in await gate.wait() }
        try await withTestApplication(
            configuration: Self.configuration(storePath: disk.path + "/store.sqlite3"),
            environment: ["GU1_SECRET": "whsec_fault"],
            customHandlers: [.init(name: "held", handler: recorder, maxConcurrency: 1)]
        ) { app in
            // One delivery runs, held until the disk is full.
            #expect(try await Self.post(app, Self.body(0)).status == 200)
            let deadline = ContinuousClock.now + .seconds(10)
            while recorder.calls.isEmpty && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(recorder.calls.count == 1)
            #expect(try await app.get("/readyz").status == 200)

            try disk.fill()
            var refused: (index: Int, response: LoopbackResponse)?
            for index in 1..<2000 {
                let response = try await Self.post(app, Self.body(index))
                if response.status != 200 {
                    refused = (index, response)
                    break
                }
            }
            let full = try #require(refused, "the store kept committing on a full file system")
            #expect(full.response.status == 503)
            #expect(full.response.header("Retry-After") != nil)
            // Readiness tells the truth: 503 while events get 503, each time it is asked.
            for _ in 0..<3 {
                #expect(try await app.get("/readyz").status == 503)
                #expect(try await Self.post(app, Self.body(full.index)).status == 503)
            }
            // The held delivery ends while the store cannot record it.
            gate.open()
            try await Task.sleep(for: .milliseconds(1500))
            let metrics = app.application.metrics.render()
            #expect(metrics.contains(#"kyc_webhooks_queue_depth{state="running"}"#))
            #expect(metrics.contains("kyc_webhooks_store_ready 0"))
            #expect(!metrics.contains(#"kyc_webhooks_store_errors_total{kind="full"} 0"#))
            #expect(app.logs.records(atLeast: .error).filter { $0.message.contains("store cannot commit") }.count == 1)

            disk.free()
            // Readiness comes back once a commit succeeds (the probe write `/readyz` makes): at once on an idle
            // machine; within seconds when the suite keeps both cores busy (seen once in seven full runs).
            var ready = try await app.get("/readyz").status
            let readyBy = ContinuousClock.now + .seconds(10)
            while ready != 200 && ContinuousClock.now < readyBy {
                try await Task.sleep(for: .milliseconds(100))
                ready = try await app.get("/readyz").status
            }
            #expect(ready == 200)
            let retried = try await Self.post(app, Self.body(full.index))
            #expect(retried.status == 200)
            // Within 60 s of recovery, without a restart, nothing is left running and the held delivery is done.
            let recovered = ContinuousClock.now + .seconds(60)
            var depth = try await app.application.inbox.queueDepth(now: Date())
            while depth.running > 0 && ContinuousClock.now < recovered {
                try await Task.sleep(for: .milliseconds(100))
                depth = try await app.application.inbox.queueDepth(now: Date())
            }
            #expect(depth.running == 0)
            let first = try #require(try await app.application.inbox.event(key: "kyc.validation_created:fault-0"))
            #expect(first.deliveries.map(\.state) == [.done])
            #expect(recorder.calls.filter { $0.eventKey == "kyc.validation_created:fault-0" }.count == 1)
            #expect(app.application.metrics.render().contains("kyc_webhooks_store_ready 1"))
        }
    }

    @Test func storeFaultsAreCountedEachTimeAndLoggedOncePerEpisode() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kyc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withTestApplication(
            configuration: Self.configuration(storePath: directory.appendingPathComponent("store.sqlite3").path),
            environment: ["GU1_SECRET": "whsec_fault"]
        ) { app in
            let inbox = try #require(app.application.inbox as? SQLiteInbox)
            #expect(try await Self.post(app, Self.body(0)).status == 200)
            _ = try await inbox.setMaxPageCount(try await inbox.pageCount())
            var failures = 0
            for index in 1..<200 where try await Self.post(app, Self.body(index)).status == 503 {
                failures += 1
                if failures == 3 { break }
            }
            #expect(failures == 3)
            let metrics = app.application.metrics.render()
            #expect(metrics.contains(#"kyc_webhooks_store_errors_total{kind="full"} 3"#), "\(metrics)")
            #expect(app.logs.records(atLeast: .error).filter { $0.message.contains("store cannot commit") }.count == 1)
            _ = try await inbox.setMaxPageCount(1_000_000)
            #expect(try await Self.post(app, Self.body(500)).status == 200)
            #expect(app.logs.messages.contains("The store commits again"))
            #expect(app.application.metrics.render().contains("kyc_webhooks_store_ready 1"))
        }
    }
}
