import Foundation
import Synchronization
import Testing
import WebhookCrypto
import WebhookTesting

#if canImport(Glibc)
    import Glibc
#endif

/// Several receivers on one PostgreSQL (docs/reference.md §8), as operators run them: the real binary, twice,
/// on one database of the suite's throwaway cluster (``TestPostgres``), each with its own `file` handler
/// named `audit`, so that the lines of both files together are every handler run.
@Suite struct SeveralReceiversTests {
    static let secret = "whsec_several"

    /// A folder with one configuration per receiver, both on `database`.
    static func makeDirectory(
        receivers: Int,
        leaseSeconds: Int = 30,
        handler: (Int) -> String = { _ in "" }
    ) throws
        -> URL
    {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("kyc-several-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for index in 0..<receivers {
            let audit =
                handler(index).isEmpty
                ? #"{"name": "audit", "type": "file", "path": "\#(directory.path)/audit-\#(index).jsonl"}"#
                : handler(index)
            let config = """
                {
                  "listen": {"host": "127.0.0.1", "port": 0},
                  "logLevel": "warning",
                  "store": {"kind": "postgres", "url": {"env": "KYC_TEST_DATABASE_URL"}, "leaseSeconds": \(leaseSeconds)},
                  "routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"env": "SEVERAL_SECRET"}]}],
                  "handlers": [\(audit)],
                  "retry": {"maxAttempts": 20, "initialDelaySeconds": 0.05, "maxDelaySeconds": 0.5}
                }
                """
            try Data(config.utf8).write(to: directory.appendingPathComponent("config-\(index).json"))
        }
        return directory
    }

    /// The receivers' environment: a fresh database of the suite's cluster (made on a thread of its own: it
    /// blocks) and the route's secret.
    static func environment() async throws -> [String: String] {
        try await Blocking.run {
            let cluster = try TestPostgres.shared()
            return [
                "KYC_TEST_DATABASE_URL": cluster.url(database: try cluster.createDatabase()),
                "SEVERAL_SECRET": secret,
            ]
        }
    }

    static func withReceiver<T>(
        _ index: Int,
        in directory: URL,
        environment: [String: String],
        _ body: (DaemonProcess) async throws -> T
    ) async throws -> T {
        try await withDaemon(
            arguments: ["serve", "--config", directory.appendingPathComponent("config-\(index).json").path],
            environment: environment,
            directory: directory,
            body
        )
    }

    /// Posts a signed Gu1 event; returns the status and body.
    static func post(_ body: [UInt8], port: Int) throws -> LoopbackResponse {
        let client = try LoopbackClient(port: port, timeoutSeconds: 10)
        defer { client.close() }
        try client.send(DaemonTests.signedRequest(body, secret: secret))
        return try client.readResponse()
    }

    static func event(_ id: String) -> [UInt8] {
        Array(
            #"{"event":"kyc.validation_approved","timestamp":"2025-01-07T11:00:00Z","payload":{"id":"\#(id)","entityId":"e-1","status":"approved"}}"#
                .utf8
        )
    }

    /// Four threads posting distinct events (`<prefix>-<thread>-<n>`) until ``finish()``, each to the port
    /// `port(thread)` names at that moment; which events got a 200, and every answer.
    final class Load: Sendable {
        private let acknowledged = Mutex<Set<String>>([])
        private let statuses = Mutex<[Int]>([])
        private let stop = StopFlag()
        private let group = DispatchGroup()

        init(prefix: String, pauseMicroseconds: UInt32, port: @escaping @Sendable (Int) -> Int) {
            for thread in 0..<4 {
                group.enter()
                Thread.detachNewThread { [self] in
                    defer { group.leave() }
                    var sequence = 0
                    while !stop.isSet {
                        sequence += 1
                        let id = "\(prefix)-\(thread)-\(sequence)"
                        let response = try? SeveralReceiversTests.post(
                            SeveralReceiversTests.event(id),
                            port: port(thread)
                        )
                        let status = response?.status ?? 0
                        statuses.withLock { $0.append(status) }
                        if status == 200 { _ = acknowledged.withLock { $0.insert("kyc.validation_approved:\(id)") } }
                        usleep(pauseMicroseconds)
                    }
                }
            }
        }

        /// Stops the threads, waits for them, and returns the acknowledged keys and every status.
        func finish() -> (acknowledged: Set<String>, statuses: [Int]) {
            stop.set()
            group.wait()
            return (acknowledged.withLock { $0 }, statuses.withLock { $0 })
        }
    }

    /// The keys the `audit` handlers of every receiver wrote, one per handler run.
    static func handled(in directory: URL, receivers: Int) -> [String] {
        (0..<receivers).flatMap { index -> [String] in
            let url = directory.appendingPathComponent("audit-\(index).jsonl")
            let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line in
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                return object?["key"] as? String
            }
        }
    }

    /// Waits (bounded) until the handlers ran for every one of `keys` (a run twice counts once).
    static func waitForHandled(keys: Set<String>, in directory: URL, receivers: Int, seconds: Double = 30) -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        var found = handled(in: directory, receivers: receivers)
        while !keys.isSubset(of: Set(found)) && Date() < deadline {
            usleep(50_000)
            found = handled(in: directory, receivers: receivers)
        }
        return found
    }

    /// Waits (bounded) until the handlers ran at least `count` times.
    static func waitForHandled(_ count: Int, in directory: URL, receivers: Int, seconds: Double = 30) -> [String] {
        let deadline = Date().addingTimeInterval(seconds)
        var keys = handled(in: directory, receivers: receivers)
        while keys.count < count && Date() < deadline {
            usleep(50_000)
            keys = handled(in: directory, receivers: receivers)
        }
        return keys
    }

    /// Twenty copies of one event spread over two receivers: one `accepted`, nineteen `duplicate`, one handler
    /// run; then 300 distinct events spread over both: each handled exactly once, by one of them.
    @Test func twoReceiversRecordEachEventOnceAndHandleItOnce() async throws {
        let directory = try Self.makeDirectory(receivers: 2)
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = try await Self.environment()
        try await Self.withReceiver(0, in: directory, environment: environment) { first in
            try await Self.withReceiver(1, in: directory, environment: environment) { second in
                let ports = [first.port, second.port]
                let body = Self.event("val-copies")
                let answers = Mutex<[String]>([])
                DispatchQueue.concurrentPerform(iterations: 20) { index in
                    let response = try? Self.post(body, port: ports[index % 2])
                    answers.withLock { $0.append(response.map { "\($0.status) \($0.text)" } ?? "failed") }
                }
                let all = answers.withLock { $0 }
                #expect(all.filter { $0.hasPrefix("200") && $0.contains(#""accepted""#) }.count == 1, "\(all)")
                #expect(all.filter { $0.hasPrefix("200") && $0.contains(#""duplicate""#) }.count == 19, "\(all)")
                #expect(Self.waitForHandled(1, in: directory, receivers: 2).count == 1)

                let unique = (0..<300).map { "val-\($0)" }
                let statuses = Mutex<[Int]>([])
                DispatchQueue.concurrentPerform(iterations: unique.count) { index in
                    let status = (try? Self.post(Self.event(unique[index]), port: ports[index % 2]))?.status ?? 0
                    statuses.withLock { $0.append(status) }
                }
                #expect(statuses.withLock { $0 }.allSatisfy { $0 == 200 })
                let keys = Self.waitForHandled(301, in: directory, receivers: 2)
                usleep(1_000_000) // anything handled twice would have shown up by now
                let final = Self.handled(in: directory, receivers: 2)
                #expect(final.count == 301, "\(keys.count) then \(final.count)")
                #expect(Set(final).count == final.count)
                // Both receivers dispatched (the claims are shared, not one receiver's alone).
                #expect(!Self.handled(in: directory, receivers: 1).isEmpty)
            }
        }
    }

    /// The set-up of docs/operations.md §13: nginx round-robin in front of two receivers. Twenty copies of one
    /// event through nginx: one `accepted`, one handler run; 200 distinct events: each handled once, and both
    /// receivers answered some. With one receiver stopped, nginx sends everything to the other: still 200.
    @Test func twoReceiversBehindNginxRecordAndHandleEachEventOnce() async throws {
        let directory = try Self.makeDirectory(receivers: 2)
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = try await Self.environment()
        try await Self.withReceiver(0, in: directory, environment: environment) { first in
            try await Self.withReceiver(1, in: directory, environment: environment) { second in
                let port = try LoopbackPort.free()
                let configuration = NginxTests.nginxConfiguration(
                    mode: .http11KeepAlive,
                    port: port,
                    upstreamPorts: [first.port, second.port],
                    directory: directory
                )
                try NginxTests.withNginx(configuration, port: port, in: directory) {
                    let copies = Mutex<[String]>([])
                    let body = Self.event("val-nginx-copies")
                    DispatchQueue.concurrentPerform(iterations: 20) { _ in
                        let response = try? Self.post(body, port: port)
                        copies.withLock { $0.append(response.map { "\($0.status) \($0.text)" } ?? "failed") }
                    }
                    let answers = copies.withLock { $0 }
                    #expect(
                        answers.filter { $0.hasPrefix("200") && $0.contains(#""accepted""#) }.count == 1,
                        "\(answers)"
                    )
                    #expect(answers.filter { $0.hasPrefix("200") && $0.contains(#""duplicate""#) }.count == 19)

                    let statuses = Mutex<[Int]>([])
                    DispatchQueue.concurrentPerform(iterations: 200) { index in
                        let status = (try? Self.post(Self.event("val-nginx-\(index)"), port: port))?.status ?? 0
                        statuses.withLock { $0.append(status) }
                    }
                    #expect(statuses.withLock { $0 }.allSatisfy { $0 == 200 })
                    let handled = Self.waitForHandled(201, in: directory, receivers: 2)
                    usleep(500_000)
                    let final = Self.handled(in: directory, receivers: 2)
                    #expect(final.count == 201, "\(handled.count) then \(final.count)")
                    #expect(Set(final).count == final.count)
                    // Round-robin reached both: each receiver counted some of the 200s.
                    let answered = [first.port, second.port].map { port -> Double in
                        let text = (try? PostgresOutageTests.get("/metrics", port: port).text) ?? ""
                        let prefix = #"kyc_webhooks_http_requests_total{route="/webhooks/gu1",status="200"} "#
                        let line = text.split(separator: "\n").first { $0.hasPrefix(prefix) }
                        return line.flatMap { Double($0.dropFirst(prefix.count)) } ?? 0
                    }
                    #expect(answered.allSatisfy { $0 > 0 }, "\(answered)")
                    #expect(answered.reduce(0, +) == 220)

                    // One receiver gone: nginx takes every request to the other.
                    second.send(signal: SIGTERM)
                    #expect(second.waitForExit(timeout: 20) == 0)
                    var alone: [Int] = []
                    for index in 0..<10 {
                        alone.append((try? Self.post(Self.event("val-nginx-alone-\(index)"), port: port))?.status ?? 0)
                    }
                    #expect(alone.allSatisfy { $0 == 200 }, "\(alone)")
                }
            }
        }
    }

    /// `kill -9` of one receiver under load, three times (restarted in between): every event that got a 200,
    /// from either receiver, is handled, by whichever receiver claims it (the survivor once the lease ran
    /// out for those the killed one was running).
    @Test func everyAcknowledgedEventIsHandledThoughOneReceiverIsKilledUnderLoad() async throws {
        let directory = try Self.makeDirectory(receivers: 2, leaseSeconds: 2)
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = try await Self.environment()
        try await Self.withReceiver(1, in: directory, environment: environment) { survivor in
            let killedPort = Mutex<Int?>(nil)
            // Threads 0 and 2 post to the receiver that gets killed while it runs, 1 and 3 to the survivor.
            let load = Load(prefix: "val-kill", pauseMicroseconds: 1_000) { thread in
                thread.isMultiple(of: 2) ? killedPort.withLock { $0 } ?? survivor.port : survivor.port
            }
            for round in 0..<3 {
                try await Self.withReceiver(0, in: directory, environment: environment) { doomed in
                    killedPort.withLock { $0 = doomed.port }
                    usleep(UInt32(600_000 + round * 200_000))
                    killedPort.withLock { $0 = nil }
                    doomed.send(signal: SIGKILL)
                    _ = doomed.waitForExit(timeout: 10)
                }
            }
            let expected = load.finish().acknowledged
            #expect(expected.count > 100, "load too light to mean anything: \(expected.count)")
            // Some run twice (those the killed receiver was running when it died): wait for every key.
            let handled = Self.waitForHandled(keys: expected, in: directory, receivers: 2, seconds: 30)
            #expect(
                expected.isSubset(of: Set(handled)),
                "\(expected.subtracting(handled).count) acknowledged, never handled"
            )
        }
    }

    /// A receiver killed (`kill -9`) while its handlers run: what it was running is not stranded. Once its
    /// lease runs out, the survivor runs those deliveries; every event that got a 200 is handled.
    @Test func aKilledReceiversDeliveriesAreRunByTheSurvivor() async throws {
        // Receiver 0's `audit` hangs (the deliveries stay running with it); receiver 1's writes the file.
        let directory = try Self.makeDirectory(receivers: 2, leaseSeconds: 2) { index in
            index == 0 ? #"{"name": "audit", "type": "exec", "command": ["/bin/sleep", "20"]}"# : ""
        }
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = try await Self.environment()
        let ids = (0..<5).map { "val-killed-\($0)" }
        try await Self.withReceiver(0, in: directory, environment: environment) { doomed in
            for id in ids {
                let status = try Self.post(Self.event(id), port: doomed.port).status
                #expect(status == 200)
            }
            usleep(1_000_000) // its dispatcher claims them and starts the hanging command
            doomed.send(signal: SIGKILL)
            #expect(doomed.waitForExit(timeout: 10) != nil)
        }
        try await Self.withReceiver(1, in: directory, environment: environment) { survivor in
            let expected = Set(ids.map { "kyc.validation_approved:\($0)" })
            let keys = Self.waitForHandled(keys: expected, in: directory, receivers: 2, seconds: 30)
            #expect(Set(keys) == expected, "\(keys)")
            _ = survivor
        }
        // The killed receiver had claimed them (its interrupted attempt counts): the survivor's was the second.
        let shown = try await CLITests.run(
            ["events", "show", "kyc.validation_approved:\(ids[0])", "--config", directory.path + "/config-1.json"],
            environment: environment
        )
        #expect(shown.status == 0, "\(shown.stderr)")
        let row = shown.stdout.split(separator: "\n").first { $0.hasPrefix("audit") }?.split(separator: " ")
        #expect(row?.dropFirst().first == "done", "\(shown.stdout)")
        #expect(row?.dropFirst(2).first == "2", "\(shown.stdout)")
    }
}

/// PostgreSQL going away under a receiver (docs/reference.md §8): 503 with `Retry-After` and `/readyz` 503
/// while it is away, 200 again after without a restart of the receiver, and no acknowledged event lost.
/// On a cluster of its own: restarting the suite's would cut every other test's connections.
@Suite(.serialized) struct PostgresOutageTests {
    static func get(_ path: String, port: Int) throws -> LoopbackResponse {
        let client = try LoopbackClient(port: port, timeoutSeconds: 10)
        defer { client.close() }
        try client.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
        return try client.readResponse()
    }

    @Test func aStoppedAndRestartedServerGives503sThen200sAndLosesNothing() async throws {
        // Starting, stopping and restarting the server block: all of it on a thread of its own.
        try await Blocking.onThread { try await Self.outage() }
    }

    static func outage() async throws {
        let cluster = try TestPostgres.startPrivate()
        defer { cluster.stop() }
        let directory = try SeveralReceiversTests.makeDirectory(receivers: 1)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try cluster.createDatabase()
        let environment = [
            "KYC_TEST_DATABASE_URL": cluster.url(database: database), "SEVERAL_SECRET": SeveralReceiversTests.secret,
        ]
        try await SeveralReceiversTests.withReceiver(0, in: directory, environment: environment) { daemon in
            #expect(try Self.get("/readyz", port: daemon.port).status == 200)
            // Under load: a restart (`pg_ctl restart -m fast`) in the middle.
            let load = SeveralReceiversTests.Load(prefix: "val-outage", pauseMicroseconds: 2_000) { _ in daemon.port }
            usleep(500_000)
            try cluster.restart()
            usleep(1_500_000)
            let (acknowledged, answered) = load.finish()
            #expect(answered.allSatisfy { $0 == 200 || $0 == 503 }, "\(Set(answered))")
            #expect(answered.suffix(20).contains(200), "200s again after the restart")

            // Stopped for a while: 503 with Retry-After, readiness down; started: 200 again, same receiver.
            try cluster.stopServer()
            let refused = try SeveralReceiversTests.post(
                SeveralReceiversTests.event("val-while-down"),
                port: daemon.port
            )
            #expect(refused.status == 503)
            #expect(refused.header("Retry-After") == "5")
            #expect(try Self.get("/readyz", port: daemon.port).status == 503)
            try cluster.startServer()
            var ready = false
            for _ in 0..<100 where !ready {
                ready = (try? Self.get("/readyz", port: daemon.port).status) == 200
                if !ready { usleep(100_000) }
            }
            #expect(ready)
            let back = try SeveralReceiversTests.post(SeveralReceiversTests.event("val-after"), port: daemon.port)
            #expect(back.status == 200)
            let expected = acknowledged.union(["kyc.validation_approved:val-after"])
            let handled = SeveralReceiversTests.waitForHandled(keys: expected, in: directory, receivers: 1)
            #expect(
                expected.isSubset(of: Set(handled)),
                "\(expected.subtracting(handled).count) acknowledged, not handled"
            )
            #expect(daemon.isRunning)
            let metrics = try Self.get("/metrics", port: daemon.port).text
            #expect(!metrics.contains("kyc_webhooks_store_reconnects_total 0"), "reconnects counted")
            #expect(metrics.contains("kyc_webhooks_store_pool_connections 4"), "\(metrics)")
            #expect(metrics.contains("kyc_webhooks_store_pool_waiting 0"))
        }
    }
}
