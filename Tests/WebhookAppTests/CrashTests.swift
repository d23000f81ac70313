import Foundation
import Synchronization
import Testing
import WebhookCrypto
import WebhookTesting

#if canImport(Glibc)
    import Glibc
#endif

/// kill -9 under load: every event that got a 200 is on disk after restart and reaches the `file` handler.
///
/// The real binary runs with the sqlite store at `synchronous=FULL`; clients post unique signed events on
/// several threads while the daemon is killed with SIGKILL and restarted. A negative control runs the same
/// check on a daemon that answers before committing, and the check must catch it.
@Suite(.serialized) struct CrashTests {
    static let secret = "whsec_crash_test"

    /// A directory with a config for the daemon: sqlite store, one gu1 route, one `file` handler.
    static func makeDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kyc-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = """
            {
              "listen": {"host": "127.0.0.1", "port": 0},
              "store": {"kind": "sqlite", "path": "\(directory.path)/store/kyc.sqlite3"},
              "routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"env": "CRASH_SECRET"}]}],
              "handlers": [{"name": "audit", "type": "file", "path": "\(directory.path)/events.jsonl"}],
              "retry": {"maxAttempts": 20, "initialDelaySeconds": 0.05, "maxDelaySeconds": 0.5}
            }
            """
        try Data(config.utf8).write(to: directory.appendingPathComponent("config.json"))
        return directory
    }

    /// Runs `body` with the daemon serving `directory`; it is killed (if still running) and reaped afterwards.
    static func withCrashDaemon<T>(
        in directory: URL,
        unsafe: Bool = false,
        _ body: (DaemonProcess) async throws -> T
    ) async throws -> T {
        let config = directory.appendingPathComponent("config.json").path
        // The negative control runs the daemon over the test kit's AcknowledgeBeforeCommitInbox, from a
        // test-only executable: the product itself has no way to answer before committing.
        return try await withDaemon(
            arguments: unsafe ? ["--config", config] : ["serve", "--config", config],
            environment: ["CRASH_SECRET": secret],
            directory: directory,
            executable: unsafe ? "kyc-webhooks-ack-before-commit" : "kyc-webhooks",
            body
        )
    }

    /// A unique Gu1 event body and its key.
    static func event(_ id: String) -> (body: [UInt8], key: String) {
        let body = Array(
            #"{"event":"kyc.validation_approved","timestamp":"2025-01-07T11:00:00Z","payload":{"id":"\#(id)","entityId":"e-1","status":"approved"}}"#
                .utf8
        )
        return (body, "kyc.validation_approved:\(id)")
    }

    /// Posts unique events from `threads` threads until `stop` is set; returns the keys that got a 200.
    static func load(port: Int, threads: Int, round: Int, stop: StopFlag) -> Set<String> {
        let acknowledged = Mutex(Set<String>())
        let finished = DispatchGroup()
        for thread in 0..<threads {
            finished.enter()
            Thread.detachNewThread {
                defer { finished.leave() }
                var sequence = 0
                while !stop.isSet {
                    sequence += 1
                    let (body, key) = event("r\(round)-t\(thread)-n\(sequence)")
                    do {
                        let client = try LoopbackClient(port: port, timeoutSeconds: 5)
                        defer { client.close() }
                        try client.send(DaemonTests.signedRequest(body, secret: secret))
                        let response = try client.readResponse()
                        if response.status == 200 { _ = acknowledged.withLock { $0.insert(key) } }
                    } catch {
                        // The daemon was killed mid-request: no 200, nothing promised.
                        if stop.isSet { return }
                        usleep(5_000)
                    }
                }
            }
        }
        finished.wait()
        return acknowledged.withLock { $0 }
    }

    /// Runs `rounds` of load-then-SIGKILL, restarts once more, and returns the acknowledged keys that the
    /// `file` handler never received (the checker). Empty means nothing acknowledged was lost.
    static func lostEvents(
        unsafe: Bool,
        rounds: Int
    ) async throws -> (lost: Set<String>, acknowledged: Int, directory: URL) {
        let directory = try makeDirectory()
        var acknowledged = Set<String>()
        for round in 0..<rounds {
            let acknowledgedThisRound = try await withCrashDaemon(in: directory, unsafe: unsafe) { daemon in
                let stop = StopFlag()
                let killer = Thread {
                    usleep(UInt32(400_000 + round * 150_000))
                    daemon.send(signal: SIGKILL)
                    usleep(50_000)
                    stop.set()
                }
                killer.start()
                let keys = load(port: daemon.port, threads: 6, round: round, stop: stop)
                daemon.waitForExit(timeout: 10)
                return keys
            }
            acknowledged.formUnion(acknowledgedThisRound)
        }
        // A clean start: deliveries left due or running by the kills run now.
        let delivered = try await withCrashDaemon(in: directory) { daemon in
            let file = directory.appendingPathComponent("events.jsonl")
            var delivered = Set<String>()
            let deadline = Date().addingTimeInterval(unsafe ? 5 : 60)
            repeat {
                delivered = deliveredKeys(file)
                if acknowledged.isSubset(of: delivered) { break }
                usleep(100_000)
            } while Date() < deadline
            daemon.send(signal: SIGTERM)
            let status = daemon.waitForExit(timeout: 30)
            #expect(status == 0, "the daemon drains and exits 0 on SIGTERM")
            return delivered
        }
        return (acknowledged.subtracting(delivered), acknowledged.count, directory)
    }

    /// The keys of the events in the `file` handler's output (one JSON object per line).
    static func deliveredKeys(_ file: URL) -> Set<String> {
        guard let data = FileManager.default.contents(atPath: file.path) else { return [] }
        var keys = Set<String>()
        for line in data.split(separator: UInt8(ascii: "\n")) {
            if let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                let key = object["key"] as? String
            {
                keys.insert(key)
            }
        }
        return keys
    }

    static func integrityCheck(_ database: URL) throws -> String {
        try ChildProcess.run(command: "sqlite3", [database.path, "PRAGMA integrity_check;"])
            .standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func everyAcknowledgedEventSurvivesKillMinusNine() async throws {
        let (lost, acknowledged, directory) = try await Self.lostEvents(unsafe: false, rounds: 4)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(acknowledged > 100, "the load must have been acknowledged often enough to mean something")
        #expect(lost.isEmpty, "\(lost.count) acknowledged events were lost: \(lost.sorted().prefix(5))")
        try await Blocking.run {
            #expect(try Self.integrityCheck(directory.appendingPathComponent("store/kyc.sqlite3")) == "ok")
            // Every line the handler wrote is a whole event (fsync'd appends, no torn lines).
            let data = try Data(contentsOf: directory.appendingPathComponent("events.jsonl"))
            for line in data.split(separator: UInt8(ascii: "\n")) {
                #expect(
                    (try? JSONSerialization.jsonObject(with: Data(line))) != nil,
                    "a torn line in the file handler's output"
                )
            }
        }
    }

    @Test func negativeControlTheCheckerCatchesAcknowledgingBeforeCommit() async throws {
        let (lost, acknowledged, directory) = try await Self.lostEvents(unsafe: true, rounds: 2)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(acknowledged > 50)
        #expect(!lost.isEmpty, "answering before the commit must lose acknowledged events under kill -9")
    }
}

/// A flag the load threads poll.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}
