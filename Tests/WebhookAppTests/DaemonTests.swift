import Foundation
import Testing
import WebhookCrypto
import WebhookTesting

#if canImport(Glibc)
    import Glibc
#endif

/// The real binary: graceful drain on SIGTERM, the log scan for personal data, the CLI against its store.
@Suite(.serialized) struct DaemonTests {
    static let secret = "whsec_daemon_test_secret"
    static let token = "tok_daemon_test_0123"

    static func makeDirectory(logLevel: String = "debug") throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kyc-daemon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = """
            {
              "listen": {"host": "127.0.0.1", "port": 0},
              "logLevel": "\(logLevel)",
              "store": {"kind": "sqlite", "path": "\(directory.path)/kyc.sqlite3"},
              "routes": [
                {"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"env": "DAEMON_SECRET"}]},
                {"path": "/webhooks/argos", "sender": "argos", "token": {"env": "DAEMON_TOKEN"}},
                {"path": "/webhooks/argos-encrypted", "sender": "argos",
                 "decrypt": {"algorithm": "aes-256-ecb", "apiKey": {"env": "DAEMON_API_KEY"}}}
              ],
              "handlers": [
                {"name": "console", "type": "log"},
                {"name": "failing", "type": "exec", "command": ["/bin/false"], "match": {"outcomes": ["approved"]}}
              ],
              "retry": {"maxAttempts": 2, "initialDelaySeconds": 0.05, "maxDelaySeconds": 0.1}
            }
            """
        try Data(config.utf8).write(to: directory.appendingPathComponent("config.json"))
        return directory
    }

    static let environment = ["DAEMON_SECRET": secret, "DAEMON_TOKEN": token, "DAEMON_API_KEY": "argos-test-api-key"]

    /// Runs `body` with the daemon serving `directory`'s configuration; it is killed and reaped afterwards.
    static func withServingDaemon(in directory: URL, _ body: (DaemonProcess) async throws -> Void) async throws {
        try await withDaemon(
            arguments: ["serve", "--config", directory.appendingPathComponent("config.json").path],
            environment: environment,
            directory: directory,
            body
        )
    }

    /// Runs `kyc-webhooks ARGS` to completion; returns its exit status and output.
    static func cli(_ arguments: [String], directory: URL) throws -> (status: Int32, output: String) {
        let output = try ChildProcess.run(
            try DaemonProcess.executableURL(),
            arguments + ["--config", directory.appendingPathComponent("config.json").path],
            environment: Self.environment,
            directory: directory
        )
        return (output.status, output.standardOutput + output.standardError)
    }

    static func request(_ body: [UInt8], path: String = "/webhooks/gu1") -> [UInt8] {
        signedRequest(body, secret: secret, path: path)
    }

    /// A Gu1 POST of `body` to `path`, signed with `secret` (`X-Webhook-Signature`), as raw HTTP/1.1 bytes.
    static func signedRequest(_ body: [UInt8], secret: String, path: String = "/webhooks/gu1") -> [UInt8] {
        let mac = Hex.encode(HMACSHA256.authenticationCode(for: body, key: Array(secret.utf8)))
        return Array(
            ("POST \(path) HTTP/1.1\r\nHost: x\r\nX-Webhook-Signature: \(mac)\r\nContent-Length: \(body.count)\r\n\r\n")
                .utf8
        ) + body
    }

    /// The scope stops and reaps its daemon when the body throws: no process is left behind.
    @Test func aThrowingBodyLeavesNoDaemonBehind() async throws {
        struct Planned: Error { var processIdentifier: Int32 }
        let directory = try Self.makeDirectory(logLevel: "info")
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = await #expect(throws: Planned.self) {
            try await Self.withServingDaemon(in: directory) { daemon in
                throw Planned(processIdentifier: daemon.processIdentifier)
            }
        }
        let processIdentifier = try #require(error?.processIdentifier)
        #expect(processIdentifier > 0)
        // Reaped, not a zombie: the identifier names no process any more.
        #expect(kill(processIdentifier, 0) == -1 && errno == ESRCH)
    }

    @Test func sigtermLetsAnInFlightRequestCompleteThenExitsZero() async throws {
        let directory = try Self.makeDirectory(logLevel: "info")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await Self.withServingDaemon(in: directory) { daemon in
            let body = try Fixtures.load("gu1-kyc/approved.json").body
            let bytes = Self.request(body)
            let split = bytes.count - 100
            let client = try LoopbackClient(port: daemon.port, timeoutSeconds: 10)
            try client.send(Array(bytes[..<split]))
            usleep(200_000)
            daemon.send(signal: SIGTERM)
            usleep(300_000)
            #expect(daemon.isRunning, "the daemon waits for the request in flight")
            // New connections are no longer accepted once draining.
            #expect((try? LoopbackClient(port: daemon.port, timeoutSeconds: 1)) == nil, "the listener is closed")
            try client.send(Array(bytes[split...]))
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text.contains("accepted"))
            #expect(daemon.waitForExit(timeout: 20) == 0)
            #expect(daemon.standardError.contains("\"message\":\"stopped\""))
            // The event it accepted while draining is on disk.
            let shown = try Self.cli(
                ["events", "show", "kyc.validation_approved:550e8400-e29b-41d4-a716-446655440000"],
                directory: directory
            )
            #expect(shown.status == 0, "\(shown.output)")
        }
    }

    @Test func tellsSystemdItIsReadyThenStoppingAndKeepsTheSocketFromHandlers() async throws {
        let directory = try Self.makeDirectory(logLevel: "info")
        defer { try? FileManager.default.removeItem(at: directory) }
        let environmentFile = directory.appendingPathComponent("handler.env")
        let config = """
            {
              "listen": {"host": "127.0.0.1", "port": 0},
              "store": {"kind": "sqlite", "path": "\(directory.path)/kyc.sqlite3"},
              "routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"env": "DAEMON_SECRET"}]}],
              "handlers": [{"name": "env", "type": "exec", "command": ["/bin/sh", "-c", "env > \(environmentFile.path)"]}]
            }
            """
        try Data(config.utf8).write(to: directory.appendingPathComponent("config.json"))
        let socket = try NotificationSocket(name: directory.appendingPathComponent("notify").path)
        try await withDaemon(
            arguments: ["serve", "--config", directory.appendingPathComponent("config.json").path],
            environment: Self.environment.merging(["NOTIFY_SOCKET": socket.name]) { $1 },
            directory: directory
        ) { daemon in
            let ready = try #require(socket.receive(timeout: 10))
            #expect(ready.split(separator: "\n").contains("READY=1"))
            #expect(ready.contains("MAINPID=\(daemon.processIdentifier)"))
            #expect(ready.contains("STATUS=listening on http://127.0.0.1:\(daemon.port)"))

            let client = try LoopbackClient(port: daemon.port, timeoutSeconds: 10)
            try client.send(Self.request(try Fixtures.load("gu1-kyc/approved.json").body))
            #expect(try client.readResponse().status == 200)
            var waited = 0.0
            while !FileManager.default.fileExists(atPath: environmentFile.path), waited < 10 {
                usleep(50_000)
                waited += 0.05
            }
            usleep(100_000)
            let handlerEnvironment = try String(contentsOf: environmentFile, encoding: .utf8)
            #expect(handlerEnvironment.contains("WEBHOOK_"), "the handler ran with its own variables")
            #expect(!handlerEnvironment.contains("NOTIFY_SOCKET"))

            daemon.send(signal: SIGTERM)
            #expect(socket.receive(timeout: 10) == "STOPPING=1")
            #expect(daemon.waitForExit(timeout: 20) == 0)
        }
    }

    @Test func runningOutOfFileDescriptorsPausesAcceptingThenRecovers() async throws {
        let directory = try Self.makeDirectory(logLevel: "info")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withDaemon(
            arguments: ["serve", "--config", directory.appendingPathComponent("config.json").path],
            environment: Self.environment,
            directory: directory,
            wrapper: ["/usr/bin/prlimit", "--nofile=64:64", "--"]
        ) { daemon in
            // The kernel completes every handshake (the listen queue), but past 64 descriptors the daemon
            // cannot accept: it must warn, pause, and keep going.
            var clients: [LoopbackClient] = []
            for _ in 0..<80 {
                clients.append(try LoopbackClient(port: daemon.port, timeoutSeconds: 5))
            }
            var waited = 0.0
            while !daemon.standardError.contains("cannot accept connections"), waited < 10 {
                usleep(50_000)
                waited += 0.05
            }
            #expect(daemon.standardError.contains("cannot accept connections: out of file descriptors"))
            #expect(daemon.standardError.contains("Too many open files"))
            #expect(daemon.isRunning)
            for client in clients { client.close() }
            clients.removeAll()

            // Once descriptors are free again, connections are taken and served.
            var metrics: LoopbackResponse?
            waited = 0
            while metrics?.status != 200, waited < 10 {
                usleep(100_000)
                waited += 0.1
                guard let client = try? LoopbackClient(port: daemon.port, timeoutSeconds: 2) else { continue }
                try? client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
                metrics = try? client.readResponse()
            }
            let text = try #require(metrics).text
            let refused = text.split(separator: "\n").first {
                $0.hasPrefix("kyc_webhooks_http_connections_refused_total{reason=\"resources\"}")
            }
            let count = Double(refused?.split(separator: " ").last ?? "") ?? 0
            #expect(count >= 1, "\(refused ?? "no resources series")")
            #expect(text.contains("kyc_webhooks_http_connections_open "))
            daemon.send(signal: SIGTERM)
            #expect(daemon.waitForExit(timeout: 20) == 0)
        }
    }

    @Test func logsOfEveryFixtureAndTheCLIShowNoPersonalData() async throws {
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await Self.withServingDaemon(in: directory) { daemon in
            var keys: [String] = []
            for fixture in try Fixtures.all() {
                let path =
                    fixture.isEncrypted
                    ? "/webhooks/argos-encrypted"
                    : fixture.sender == "argos" ? "/webhooks/argos/\(Self.token)" : "/webhooks/gu1"
                let client = try LoopbackClient(port: daemon.port, timeoutSeconds: 10)
                try client.send(Self.request(fixture.body, path: path))
                let response = try client.readResponse()
                client.close()
                #expect(response.status == 200, "\(fixture.name): \(response.text)")
                keys.append(fixture.expected.idempotencyKey)
            }
            // A body that fails to decode, with personal values in it, and a wrong signature.
            let bad = Array(
                #"{"event":"kyc.validation_approved","payload":{"firstName":"Zebulon","email":"zeb@example.org"}"#.utf8
            )
            let badClient = try LoopbackClient(port: daemon.port, timeoutSeconds: 10)
            try badClient.send(Self.request(bad))
            #expect(try badClient.readResponse().status == 400)
            badClient.close()
            // Let the `console` log handler run and the failing exec handler die.
            usleep(1_500_000)
            let outputs =
                [
                    try Self.cli(["events", "list", "--limit", "100"], directory: directory).output,
                    try Self.cli(["events", "list", "--status", "rejected"], directory: directory).output,
                    try Self.cli(["events", "list", "--status", "dead"], directory: directory).output,
                ] + (try keys.prefix(12).map { try Self.cli(["events", "show", $0], directory: directory).output })
            daemon.send(signal: SIGTERM)
            #expect(daemon.waitForExit(timeout: 20) == 0)
            let everything = daemon.standardOutput + daemon.standardError + outputs.joined(separator: "\n")
            #expect(daemon.standardOutput.contains("\"handler\":\"console\""), "the log handler ran")
            #expect(outputs[2].contains("dead"), "the failing handler's deliveries are dead and listed")
            let values = try Fixtures.personalValues().union(["Zebulon", "zeb@example.org"])
            for value in values.sorted() {
                #expect(!everything.contains(value), "personal value \(value) in the daemon's output or the CLI's")
            }
            for secret in Self.environment.values {
                #expect(!everything.contains(secret), "a secret in the output")
            }
        }
    }
}
