import Foundation
import Testing
import WebhookApp
import WebhookCore
import WebhookCrypto
import WebhookStore
import WebhookTesting

/// The command line (docs/reference.md §2) through the real binary: exit codes, sign, send, check-config, replay.
@Suite struct CLITests {
    /// Runs `kyc-webhooks ARGS` (blocking work on a thread of its own).
    static func run(
        _ arguments: [String],
        environment: [String: String] = [:],
        stdin: [UInt8]? = nil,
        directory: URL = FileManager.default.temporaryDirectory
    ) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await Blocking.run {
            let output = try ChildProcess.run(
                try DaemonProcess.executableURL(),
                arguments,
                environment: environment,
                standardInput: stdin,
                directory: directory
            )
            return (output.status, output.standardOutput, output.standardError)
        }
    }

    /// A sqlite store under `directory` holding the `gu1-kyc/approved.json` fixture, recorded as the daemon
    /// would; returns the store's path and the fixture.
    static func storeWithApprovedFixture(in directory: URL) async throws -> (path: String, fixture: Fixture) {
        let database = directory.appendingPathComponent("store/kyc.sqlite3").path
        let inbox = try SQLiteInbox(path: database)
        defer { inbox.close() }
        let fixture = try Fixtures.load("gu1-kyc/approved.json")
        let event = try Gu1Decoder.decode(
            body: fixture.body,
            context: DecodeContext(route: "/webhooks/gu1", receivedAt: "2026-11-22T10:00:00.000Z")
        )
        let recorded: RecordOutcome = try await withCheckedThrowingContinuation { continuation in
            inbox.record(InboxRecord(event: event, eventJSON: event.jsonBytes(), rawBody: fixture.body, handlers: [])) {
                continuation.resume(with: $0)
            }
        }
        #expect(recorded == .accepted)
        return (database, fixture)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kyc-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func versionHelpAndUsageErrors() async throws {
        let version = try await Self.run(["version"])
        #expect(version.status == 0)
        #expect(version.stdout.hasPrefix("kyc-webhooks "))
        let help = try await Self.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("check-config"))
        for command in ["serve", "check-config", "sign", "send", "events", "replay"] {
            let commandHelp = try await Self.run([command, "--help"])
            #expect(commandHelp.status == 0, "\(command) --help")
            #expect(commandHelp.stdout.contains("Usage: kyc-webhooks \(command)"))
        }
        let unknown = try await Self.run(["frobnicate"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("Unknown command 'frobnicate'"))
        let badOption = try await Self.run(["sign", "--secret", "s", "--nope"])
        #expect(badOption.status == 2)
        #expect(badOption.stderr.contains("--nope"))
    }

    @Test func signMatchesOpenSSL() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("body.json")
        let body = try Fixtures.load("gu1-kyc/approved.json").body
        try Data(body).write(to: file)
        let ours = try await Self.run(["sign", "--secret", "whsec_cli", file.path])
        #expect(ours.status == 0)
        let openssl = try await Blocking.run {
            String(
                try ChildProcess.run(command: "openssl", ["dgst", "-sha256", "-hmac", "whsec_cli", "-r", file.path])
                    .standardOutput.prefix(64)
            )
        }
        #expect(ours.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == openssl)
        // From stdin, with the secret from the environment.
        let fromStdin = try await Self.run(
            ["sign", "--secret-env", "CLI_SECRET"],
            environment: ["CLI_SECRET": "whsec_cli"],
            stdin: body
        )
        #expect(fromStdin.stdout == ours.stdout)
        // Usage errors.
        #expect(try await Self.run(["sign", file.path]).status == 2)
        let unset = try await Self.run(["sign", "--secret-env", "KYC_CLI_TEST_UNSET_VARIABLE", file.path])
        #expect(unset.status == 2)
        #expect(unset.stderr.contains("KYC_CLI_TEST_UNSET_VARIABLE"))
    }

    @Test func checkConfigReportsEveryProblemWithoutSecrets() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let good = directory.appendingPathComponent("good.json")
        try Data(
            #"{"routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"env": "CLI_SECRET"}]}]}"#.utf8
        ).write(to: good)
        let ok = try await Self.run(
            ["check-config", "--config", good.path],
            environment: ["CLI_SECRET": "s3cr3t-value"]
        )
        #expect(ok.status == 0, "\(ok.stdout)")
        #expect(ok.stdout.contains("configuration OK"))
        let bad = directory.appendingPathComponent("bad.json")
        try Data(
            #"""
            {"listen": {"port": 99999}, "colour": "blue",
             "routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"value": "literal-s3cr3t"}]},
                        {"path": "/webhooks/argos", "sender": "argos"}]}
            """#.utf8
        ).write(to: bad)
        let report = try await Self.run(["check-config", "--config", bad.path])
        #expect(report.status == 2)
        #expect(report.stdout.contains("$.listen.port"))
        #expect(report.stdout.contains("$.colour"))
        #expect(report.stdout.contains("$.routes[1]"))
        #expect(!report.stdout.contains("literal-s3cr3t"))
        // A postgres store whose server is not there: the configuration is valid, the daemon cannot start, and
        // neither names the password of the URL.
        let postgres = directory.appendingPathComponent("postgres.json")
        try Data(
            #"""
            {"store": {"kind": "postgres", "url": {"env": "CLI_DB"}},
             "routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"env": "CLI_SECRET"}]}]}
            """#.utf8
        ).write(to: postgres)
        let environment = [
            "CLI_SECRET": "s", "CLI_DB": "postgresql://user:pw-s3cr3t@127.0.0.1:1/kyc?connect_timeout=3",
        ]
        let checked = try await Self.run(["check-config", "--config", postgres.path], environment: environment)
        #expect(checked.status == 0, "\(checked.stdout)")
        #expect(!checked.stdout.contains("pw-s3cr3t"))
        let served = try await Self.run(["serve", "--config", postgres.path], environment: environment)
        #expect(served.status == 1)
        #expect(served.stderr.contains("postgres"), "\(served.stderr)")
        #expect(!served.stderr.contains("pw-s3cr3t"))
        let listed = try await Self.run(["events", "list", "--config", postgres.path], environment: environment)
        #expect(listed.status == 1)
        #expect(!listed.stderr.contains("pw-s3cr3t"))
    }

    @Test func sendPostsASignedSampleThatTheDaemonAccepts() async throws {
        try await withTestApplication(
            configuration: """
                {"listen": {"host": "127.0.0.1", "port": 0}, "store": {"kind": "memory"},
                 "routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"env": "S"}]},
                            {"path": "/webhooks/argos", "sender": "argos", "token": {"env": "T"}}],
                 "handlers": []}
                """,
            environment: ["S": "whsec_send", "T": "tok_send_123"]
        ) { app in
            let url = "http://127.0.0.1:\(app.port)"
            let sent = try await Self.run(
                ["send", "kyc.validation_approved", "--url", "\(url)/webhooks/gu1", "--secret-env", "SEND_SECRET"],
                environment: ["SEND_SECRET": "whsec_send"]
            )
            #expect(sent.status == 0, "\(sent.stdout) \(sent.stderr)")
            #expect(sent.stdout.contains("HTTP 200"))
            #expect(sent.stdout.contains(#""status":"accepted""#))
            let wrong = try await Self.run([
                "send", "biometric.session_created", "--url", "\(url)/webhooks/gu1", "--secret", "nope",
            ])
            #expect(wrong.status == 1)
            #expect(wrong.stdout.contains("HTTP 401"))
            let argos = try await Self.run(["send", "argos.approved", "--url", "\(url)/webhooks/argos/tok_send_123"])
            #expect(argos.status == 0, "\(argos.stdout)")
            let unknown = try await Self.run(["send", "kyc.nothing_like_it", "--url", "\(url)/webhooks/gu1"])
            #expect(unknown.status == 2)
            let listed = try await app.application.inbox.listEvents(.init(limit: 10))
            #expect(Set(listed.compactMap(\.type)) == ["kyc.validation_approved", "argos.approved"])
        }
    }

    @Test func replayRunsADeadDeliveryAgainAfterTheHandlerIsFixed() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let flag = directory.appendingPathComponent("fixed")
        let config = """
            {"listen": {"host": "127.0.0.1", "port": 0},
             "store": {"kind": "sqlite", "path": "\(directory.path)/kyc.sqlite3"},
             "routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"env": "S"}]}],
             "handlers": [{"name": "activate", "type": "exec", "command": ["/bin/sh", "-c", "test -f \(flag.path)"]}],
             "retry": {"maxAttempts": 1, "initialDelaySeconds": 0.1, "maxDelaySeconds": 0.1}}
            """
        let configFile = directory.appendingPathComponent("config.json")
        try Data(config.utf8).write(to: configFile)
        let environment = ["S": "whsec_replay"]
        try await withDaemon(
            arguments: ["serve", "--config", configFile.path],
            environment: environment,
            directory: directory
        ) { daemon in
            let send = try await Self.run(
                [
                    "send", "kyc.validation_approved", "--url", "http://127.0.0.1:\(daemon.port)/webhooks/gu1",
                    "--secret", "whsec_replay",
                ])
            #expect(send.status == 0)
            let key = "kyc.validation_approved:550e8400-e29b-41d4-a716-446655440000"
            func state() async throws -> String {
                try await Self.run(["events", "show", key, "--config", configFile.path], environment: environment)
                    .stdout
            }
            // The handler fails its only attempt: dead.
            try await Self.waitUntil { try await state().contains("dead") }
            let dead = try await Self.run(
                ["events", "list", "--status", "dead", "--config", configFile.path],
                environment: environment
            )
            #expect(dead.stdout.contains(key))
            // Fix the handler, replay from another process: the running daemon picks it up.
            _ = FileManager.default.createFile(atPath: flag.path, contents: Data())
            let replay = try await Self.run(["replay", key, "--config", configFile.path], environment: environment)
            #expect(replay.status == 0)
            #expect(replay.stdout.contains("queued 1 delivery"))
            try await Self.waitUntil { try await state().contains("done") }
            // --handler queues a done delivery again, whatever its state; --dead finds nothing dead now.
            let again = try await Self.run(
                ["replay", key, "--handler", "activate", "--config", configFile.path],
                environment: environment
            )
            #expect(again.stdout.contains("queued 1 delivery"))
            let none = try await Self.run(["replay", "--dead", "--config", configFile.path], environment: environment)
            #expect(none.stdout.contains("queued 0 deliveries"))
            let missing = try await Self.run(
                ["replay", "nope:nope", "--config", configFile.path],
                environment: environment
            )
            #expect(missing.status == 1)
        }
    }

    /// `events` needs only the store: it works in a shell without the webhook secrets the daemon has.
    @Test func eventsListWorksWithoutTheDaemonsSecrets() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (database, fixture) = try await Self.storeWithApprovedFixture(in: directory)
        let config = directory.appendingPathComponent("config.json")
        try Data(
            """
            {"store": {"kind": "sqlite", "path": "\(database)"},
             "routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"env": "KYC_CLI_TEST_UNSET_SECRET"}]}]}
            """.utf8
        ).write(to: config)
        let listed = try await Self.run(["events", "list", "--config", config.path])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains(fixture.expected.idempotencyKey))
        // A problem in the store section itself is still reported.
        try Data(#"{"store": {"kind": "sqlite", "path": 7}, "routes": []}"#.utf8).write(to: config)
        let broken = try await Self.run(["events", "list", "--config", config.path])
        #expect(broken.status == 2)
    }

    /// `events list` filters through the binary, with `--json`; `replay` by filter counts with `--dry-run`
    /// (changing nothing), then queues exactly the matching deliveries, and refuses a filter without `--since`.
    @Test func eventsListFiltersAndReplayByFilter() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("store/kyc.sqlite3").path
        let inbox = try SQLiteInbox(path: database)
        let bodies = [
            (
                #"{"event":"kyc.validation_approved","timestamp":"2026-11-22T09:00:00Z","payload":{"id":"val-a","entityId":"ent-1","entity":{"externalId":"cust-1"}}}"#,
                "/webhooks/gu1"
            ),
            (
                #"{"event":"kyc.validation_rejected","timestamp":"2026-11-22T09:01:00Z","payload":{"id":"val-b","entityId":"ent-2","entity":{"externalId":"cust-2"}}}"#,
                "/webhooks/gu1"
            ),
            (#"{"webhook_trigger":"approved","submission_id":"sub-1","userid":"cust-1"}"#, "/webhooks/argos"),
        ]
        for (index, (text, route)) in bodies.enumerated() {
            let body = Array(text.utf8)
            let context = DecodeContext(route: route, receivedAt: "2026-11-22T10:00:0\(index).000Z")
            let event =
                route.hasSuffix("gu1")
                ? try Gu1Decoder.decode(body: body, context: context)
                : try ArgosDecoder.decode(body: body, context: context)
            let record = InboxRecord(
                event: event,
                eventJSON: event.jsonBytes(),
                rawBody: body,
                handlers: ["crm", "audit"]
            )
            let recorded: RecordOutcome = try await withCheckedThrowingContinuation { continuation in
                inbox.record(record) { continuation.resume(with: $0) }
            }
            #expect(recorded == .accepted)
        }
        inbox.close()
        let config = directory.appendingPathComponent("config.json")
        try Data(#"{"store": {"kind": "sqlite", "path": "\#(database)"}, "routes": []}"#.utf8).write(to: config)
        func list(_ filters: [String]) async throws -> [String] {
            let result = try await Self.run(["events", "list", "--json", "--config", config.path] + filters)
            #expect(result.status == 0, "\(result.stderr)")
            return try result.stdout.split(separator: "\n").map { line in
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                return object?["type"] as? String ?? "?"
            }
        }
        #expect(try await list(["--external-id", "cust-1"]) == ["argos.approved", "kyc.validation_approved"])
        #expect(try await list(["--entity-id", "ent-2"]) == ["kyc.validation_rejected"])
        #expect(try await list(["--source", "argos"]) == ["argos.approved"])
        #expect(try await list(["--outcome", "rejected"]) == ["kyc.validation_rejected"])
        #expect(try await list(["--subject", "val-a"]) == ["kyc.validation_approved"])
        #expect(
            try await list(["--since", "2026-11-22T10:00:01Z", "--until", "2026-11-22T10:00:02Z"]) == [
                "kyc.validation_rejected"
            ]
        )
        #expect(try await list(["--since", "2026-11-23"]).isEmpty)

        let replay = [
            "replay", "--type", "kyc.*", "--since", "2026-11-22", "--handler", "crm", "--config", config.path,
        ]
        let dry = try await Self.run(replay + ["--dry-run"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("would queue 2 deliveries"))
        #expect(try await list(["--status", "pending"]).count == 3) // nothing ran yet: every event pending
        let queued = try await Self.run(replay + ["--pace", "1000"])
        #expect(queued.status == 0, "\(queued.stderr)")
        #expect(queued.stdout.contains("queued 2 deliveries"))
        let noSince = try await Self.run(["replay", "--type", "kyc.*", "--config", config.path])
        #expect(noSince.status == 2)
        #expect(noSince.stderr.contains("--since"))
        let badTime = try await Self.run(["events", "list", "--since", "yesterday", "--config", config.path])
        #expect(badTime.status == 2)
    }

    /// `store copy --to-config` from a sqlite store into a postgres one, through the binary: the events are
    /// there afterwards (`events list` on the target), and a second run copies nothing.
    @Test func storeCopyCopiesASqliteStoreIntoPostgresOnce() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (database, fixture) = try await Self.storeWithApprovedFixture(in: directory)
        let source = directory.appendingPathComponent("sqlite.json")
        try Data(#"{"store": {"kind": "sqlite", "path": "\#(database)"}, "routes": []}"#.utf8).write(to: source)
        let target = directory.appendingPathComponent("postgres.json")
        try Data(
            #"{"store": {"kind": "postgres", "url": {"env": "KYC_COPY_DATABASE_URL"}}, "routes": []}"#.utf8
        ).write(to: target)
        let environment = try await Blocking.run {
            let cluster = try TestPostgres.shared()
            return ["KYC_COPY_DATABASE_URL": cluster.url(database: try cluster.createDatabase())]
        }
        let copy = ["store", "copy", "--config", source.path, "--to-config", target.path]
        let first = try await Self.run(copy, environment: environment)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("copied 1 events (0 already there) and 0 rejected bodies"), "\(first.stdout)")
        let second = try await Self.run(copy, environment: environment)
        #expect(second.stdout.contains("copied 0 events"), "\(second.stdout)")
        let listed = try await Self.run(["events", "list", "--config", target.path], environment: environment)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains(fixture.expected.idempotencyKey))
        let wrongWay = try await Self.run(
            ["store", "copy", "--config", target.path, "--to-config", source.path],
            environment: environment
        )
        #expect(wrongWay.status == 2)
    }

    /// `subjects show` lists one subject's events across senders by occurredAt, as instants (`11:00:00Z`
    /// before `11:00:00.500Z`), untimed ones last, with the stale flags the store decided.
    @Test func subjectsShowListsTheTimelineWithStaleFlags() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("store/kyc.sqlite3").path
        let inbox = try SQLiteInbox(path: database)
        let gu1 = [
            ("approved", "2025-01-07T11:00:00.500Z", "2026-11-22T10:00:00.000Z"),
            ("in_progress", "2025-01-07T11:00:00Z", "2026-11-22T10:00:01.000Z"),
            ("in_review", "2025-01-07T12:00:00Z", "2026-11-22T10:00:02.000Z"),
        ]
        var events: [(WebhookEvent, [UInt8])] = []
        for (word, timestamp, receivedAt) in gu1 {
            let body = Array(
                #"{"event":"kyc.validation_\#(word)","timestamp":"\#(timestamp)","payload":{"id":"val-cli-1"}}"#.utf8
            )
            let context = DecodeContext(route: "/webhooks/gu1", receivedAt: receivedAt)
            events.append((try Gu1Decoder.decode(body: body, context: context), body))
        }
        let argos = Array(#"{"webhook_trigger":"created","submission_id":"val-cli-1"}"#.utf8)
        let argosContext = DecodeContext(route: "/webhooks/argos", receivedAt: "2026-11-22T09:00:00.000Z")
        events.append((try ArgosDecoder.decode(body: argos, context: argosContext), argos))
        for (event, body) in events {
            let recorded: RecordOutcome = try await withCheckedThrowingContinuation { continuation in
                inbox.record(InboxRecord(event: event, eventJSON: event.jsonBytes(), rawBody: body, handlers: [])) {
                    continuation.resume(with: $0)
                }
            }
            #expect(recorded == .accepted)
        }
        inbox.close()
        let config = directory.appendingPathComponent("config.json")
        try Data(#"{"store": {"kind": "sqlite", "path": "\#(database)"}, "routes": []}"#.utf8).write(to: config)

        let shown = try await Self.run(["subjects", "show", "val-cli-1", "--config", config.path])
        #expect(shown.status == 0, "\(shown.stderr)")
        let lines = shown.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines.first == ["OCCURRED", "RECEIVED", "SOURCE", "TYPE", "OUTCOME", "STALE", "KEY"])
        #expect(
            lines.dropFirst().map { [$0[0], $0[3], $0[5]] } == [
                ["2025-01-07T11:00:00Z", "kyc.validation_in_progress", "stale"],
                ["2025-01-07T11:00:00.500Z", "kyc.validation_approved", "-"],
                ["2025-01-07T12:00:00Z", "kyc.validation_in_review", "-"],
                ["-", "argos.created", "-"],
            ],
            "\(shown.stdout)"
        )
        #expect(lines.dropFirst().map { $0[2] } == ["gu1.kyc", "gu1.kyc", "gu1.kyc", "argos"])
        let unknown = try await Self.run(["subjects", "show", "nobody", "--config", config.path])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("No events of subject nobody"))
        let usage = try await Self.run(["subjects", "list", "--config", config.path])
        #expect(usage.status == 2)
    }

    /// An emptied store file is refused by the daemon and by every command, named with what to do, and left
    /// as it is: never taken for a new store, never given a schema.
    @Test func anEmptiedStoreIsRefusedByServeAndCommandsAndLeftEmpty() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("kyc.sqlite3").path
        #expect(FileManager.default.createFile(atPath: database, contents: Data()))
        let config = directory.appendingPathComponent("config.json")
        try Data(
            """
            {"listen": {"host": "127.0.0.1", "port": 0},
             "store": {"kind": "sqlite", "path": "\(database)"},
             "routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"env": "GU1_SECRET"}]}]}
            """.utf8
        ).write(to: config)
        for arguments in [
            ["serve"], ["events", "list"], ["events", "show", "k"], ["replay", "--dead"], ["subjects", "show", "s"],
        ] {
            let result = try await Self.run(arguments + ["--config", config.path], environment: ["GU1_SECRET": "s"])
            #expect(result.status == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("The store file \(database) is empty"), "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("Restore it from a backup, or move it away"), "\(arguments)")
            let size = try FileManager.default.attributesOfItem(atPath: database)[.size] as? Int
            #expect(size == 0, "\(arguments) wrote to the emptied store")
        }
    }

    /// Polls `condition` every 200 ms for up to 10 s.
    static func waitUntil(_ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("condition not met within 10 s")
    }
}
