import Foundation
import Glibc
import Testing
import WebhookCore
import WebhookStore
import WebhookTesting

@testable import WebhookApp

@Suite struct HandlerExecTests {
    /// Exit status 0 is success; the command gets the event JSON on stdin and the WEBHOOK_* variables, with
    /// the daemon's own environment kept.
    @Test func commandGetsTheJSONOnStdinAndTheEnvironment() async throws {
        let directory = try HandlerTemporaryDirectory()
        let output = directory.file("stdin.json")
        let script = #"cat > "$0"; env > "$0.env""#
        let handler = ExecEventHandler(command: ["/bin/sh", "-c", script, output], timeout: .seconds(10))
        let event = TestEvents.event()
        try await handler.handle(event, context: context(for: event))

        #expect(Array(try #require(FileManager.default.contents(atPath: output))) == event.jsonBytes())
        let environment = try environmentFile(output + ".env")
        #expect(environment["WEBHOOK_KEY"] == event.key)
        #expect(environment["WEBHOOK_TYPE"] == "kyc.validation_approved")
        #expect(environment["WEBHOOK_SOURCE"] == "gu1.kyc")
        #expect(environment["WEBHOOK_OUTCOME"] == "approved")
        #expect(environment["WEBHOOK_SUBJECT_ID"] == event.subjectId)
        #expect(environment["WEBHOOK_ENTITY_ID"] == event.entityId)
        #expect(environment["WEBHOOK_EXTERNAL_ID"] == TestEvents.externalIdMarker)
        #expect(environment["PATH"] == ProcessInfo.processInfo.environment["PATH"])
    }

    /// Missing ids are passed as empty strings, not left out.
    @Test func missingIdsAreEmptyStrings() async throws {
        let directory = try HandlerTemporaryDirectory()
        let output = directory.file("env")
        let handler = ExecEventHandler(command: ["/bin/sh", "-c", #"env > "$0""#, output])
        let event = TestEvents.event(externalId: nil, entityId: nil)
        try await handler.handle(event, context: context(for: event))
        let environment = try environmentFile(output)
        #expect(environment["WEBHOOK_EXTERNAL_ID"] == "")
        #expect(environment["WEBHOOK_ENTITY_ID"] == "")
    }

    /// A non-zero exit fails with the status and the command's output (stdout and stderr).
    @Test func nonZeroExitFailsWithStatusAndOutput() async throws {
        let event = TestEvents.event()
        let error = await #expect(throws: HandlerError.self) {
            try await ExecEventHandler(command: ["/bin/false"]).handle(event, context: context(for: event))
        }
        #expect(error?.kind == .exitStatus)
        #expect(error?.status == 1)

        let noisy = ExecEventHandler(command: ["/bin/sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"])
        let described = await #expect(throws: HandlerError.self) {
            try await noisy.handle(event, context: context(for: event))
        }
        #expect(described?.status == 3)
        #expect(described?.description.contains("to-stdout") == true)
        #expect(described?.description.contains("to-stderr") == true)
    }

    /// Only the last 2 KB of a long output are kept.
    @Test func outputInTheErrorIsBounded() async throws {
        let event = TestEvents.event()
        let script = "i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done; exit 1"
        let error = await #expect(throws: HandlerError.self) {
            try await ExecEventHandler(command: ["/bin/sh", "-c", script]).handle(event, context: context(for: event))
        }
        let description = try #require(error?.description)
        #expect(description.contains("line-1999"))
        #expect(!description.contains("line-10\n"))
        #expect(description.utf8.count < ExecEventHandler.outputLimit + 200)
    }

    /// A command that does not exist fails to start, with the reason.
    @Test func missingProgramFailsToStart() async throws {
        let event = TestEvents.event()
        let error = await #expect(throws: HandlerError.self) {
            try await ExecEventHandler(command: ["/nonexistent/handler"]).handle(event, context: context(for: event))
        }
        #expect(error?.kind == .spawn)
        #expect(error?.description.contains("No such file or directory") == true)
        await #expect(throws: HandlerError.self) {
            try await ExecEventHandler(command: []).handle(event, context: context(for: event))
        }
    }

    /// A command that ignores a large stdin still succeeds (no SIGPIPE reaches the test process).
    @Test func commandThatIgnoresStdinStillSucceeds() async throws {
        var event = TestEvents.event()
        event.payload = RawJSON(bytes: Array("\"\(String(repeating: "a", count: 1_000_000))\"".utf8))
        try await ExecEventHandler(command: ["/bin/true"]).handle(event, context: context(for: event))
    }

    /// `sleep 30` with a 1 s timeout is killed and fails long before 30 s, with a timeout error (the bound is
    /// loose so a loaded CI machine does not flake; without the kill the test takes 30 s and fails).
    @Test func commandPastItsTimeoutIsKilled() async throws {
        let event = TestEvents.event()
        let started = ContinuousClock.now
        let error = await #expect(throws: HandlerError.self) {
            try await ExecEventHandler(command: ["/bin/sleep", "30"], timeout: .seconds(1))
                .handle(event, context: context(for: event))
        }
        #expect(error?.kind == .timeout)
        #expect(ContinuousClock.now - started < .seconds(15))
    }

    /// The kill reaches the whole process group: a background child of the command dies too.
    @Test func timeoutKillsTheWholeProcessGroup() async throws {
        let directory = try HandlerTemporaryDirectory()
        let pidFile = directory.file("pid")
        let clock = ManualClock()
        let handler = ExecEventHandler(
            command: ["/bin/sh", "-c", #"sleep 30 & echo $! > "$0"; wait"#, pidFile],
            timeout: .seconds(1),
            clock: clock
        )
        let event = TestEvents.event()
        let run = Task { try await handler.handle(event, context: context(for: event)) }
        try await withTimeout(seconds: 10) { await clock.waitForSleepers(count: 1) }
        var grandchild: pid_t = 0
        for _ in 0..<5000 where grandchild == 0 {
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
                let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                grandchild = pid
            } else {
                try await Task.sleep(for: .milliseconds(2))
            }
        }
        #expect(grandchild > 0)
        clock.advance(by: .seconds(1))
        let result = await run.result
        #expect((try? result.get()) == nil)
        // The background sleep is gone (or a zombie waiting for init) within a few seconds, not 30.
        var isGone = false
        for _ in 0..<200 where !isGone {
            let stat = try? String(contentsOfFile: "/proc/\(grandchild)/stat", encoding: .utf8)
            isGone = stat == nil || stat!.split(separator: ")").last?.split(separator: " ").first == "Z"
            if !isGone { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(isGone)
    }

    /// Cancelling the attempt (drain deadline) kills the command and throws CancellationError.
    @Test func cancellationKillsTheCommand() async throws {
        let event = TestEvents.event()
        let handler = ExecEventHandler(command: ["/bin/sleep", "30"], timeout: .seconds(60))
        let started = ContinuousClock.now
        let run = Task { try await handler.handle(event, context: context(for: event)) }
        try await Task.sleep(for: .milliseconds(100))
        run.cancel()
        let result = await run.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    /// Through the dispatcher: a failing command is retried, then dead; once fixed, a replay succeeds.
    @Test func retriesThenDeadThenReplayThroughTheDispatcher() async throws {
        let directory = try HandlerTemporaryDirectory()
        let flag = directory.file("ready")
        let handler = ExecEventHandler(command: ["/bin/sh", "-c", #"cat > /dev/null; test -e "$0""#, flag])
        let harness = DispatchHarness(
            handlers: [.init(name: "activate", handler: handler)],
            retry: RetryPolicy(maxAttempts: 3, initialDelay: .seconds(1), maxDelay: .seconds(4))
        )
        try await harness.start()
        let event = TestEvents.event()
        try await harness.record(event, handlers: ["activate"])
        try await harness.pump { harness.results.count("activate", .dead) == 1 }
        #expect(harness.results.count("activate", .failed) == 2)
        let dead = try await TestEvents.delivery(event.key, handler: "activate", in: harness.inbox)
        #expect(dead.state == .dead)
        #expect(dead.attempts == 3)
        #expect(dead.lastError?.contains("exited with status 1") == true)

        #expect(FileManager.default.createFile(atPath: flag, contents: nil))
        _ = try await harness.inbox.replay(key: event.key, handler: "activate", now: harness.clock.currentDate())
        try await harness.pump { harness.results.count("activate", .succeeded) == 1 }
        #expect(try await TestEvents.delivery(event.key, handler: "activate", in: harness.inbox).state == .done)
        try await harness.stop()
    }

    private func environmentFile(_ path: String) throws -> [String: String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            result[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return result
    }
}

/// The variables the configuration's secrets come from never reach an `exec` command.
@Suite struct HandlerExecEnvironmentTests {
    @Test func withheldVariablesAreNotInheritedByTheCommand() async throws {
        #expect(ProcessInfo.processInfo.environment["HOME"] != nil, "the test needs a variable that is set")
        let event = TestEvents.event()
        let context = HandlerContext(handlerName: "exec", attempt: 1, eventJSON: event.jsonBytes())
        let checksHomeIsUnset = ["/bin/sh", "-c", #"test -z "$HOME""#]
        // Control: without withholding, HOME is inherited and the check fails.
        await #expect(throws: HandlerError.self) {
            try await ExecEventHandler(command: checksHomeIsUnset).handle(event, context: context)
        }
        try await ExecEventHandler(command: checksHomeIsUnset, withheldEnvironment: ["HOME"]).handle(
            event,
            context: context
        )
    }

    @Test func theApplicationWithholdsEverySecretVariable() throws {
        let result = Configuration.parse(
            json: Array(
                #"""
                {"routes": [
                   {"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"env": "A_GU1"}, {"value": "literal"}]},
                   {"path": "/webhooks/argos", "sender": "argos", "token": {"env": "A_TOKEN"},
                    "decrypt": {"algorithm": "aes-256-ecb", "apiKey": {"env": "A_KEY"}}}],
                 "handlers": [{"name": "crm", "type": "http", "url": "http://127.0.0.1:9/x", "signingSecret": {"env": "A_SIGN"}}]}
                """#.utf8
            ),
            environment: ["A_GU1": "1", "A_TOKEN": "tok", "A_KEY": "k", "A_SIGN": "s"],
            currentDirectory: "/"
        )
        let configuration = try #require(result.configuration, "\(result.problems)")
        #expect(Application.secretVariables(of: configuration) == ["A_GU1", "A_TOKEN", "A_KEY", "A_SIGN"])
    }
}
