import Foundation
import Testing
import WebhookApp
import WebhookHTTP

@Suite struct ConfigurationLoadingTests {
    typealias F = ConfigurationFixtures

    static let exampleEnvironment = [
        "GU1_WEBHOOK_SECRET": "gu1-example-secret",
        "ARGOS_WEBHOOK_TOKEN": "argos-example-token",
        "ARGOS_API_KEY": "argos-example-api-key",
        "CRM_SIGNING_SECRET": "crm-example-secret",
    ]

    // MARK: Built-in defaults

    @Test func builtInDefaultsHaveNoProblemWithTheGu1SecretSet() throws {
        let result = Configuration.builtInDefaults(environment: ["GU1_WEBHOOK_SECRET": "s"])
        #expect(result.source == .builtInDefaults)
        #expect(result.problems.isEmpty, "\(result.problems)")
        // The ARGOS route is skipped, with a warning, while ARGOS_WEBHOOK_TOKEN is unset.
        #expect(result.warnings.map(\.path) == ["$.routes[1]"])
        #expect(result.warnings.first?.message.contains("ARGOS") == true)
        let configuration = try #require(result.configuration)
        #expect(configuration.server.host == "127.0.0.1")
        #expect(configuration.server.port == 8080)
        #expect(configuration.store.kind == .sqlite)
        #expect(configuration.store.path == "data/kyc-webhooks.sqlite3")
        #expect(configuration.routes.map(\.path) == ["/webhooks/gu1"])
        guard case .gu1(let gu1) = try #require(configuration.routes.first).sender else {
            Issue.record("expected a gu1 route")
            return
        }
        #expect(gu1.secrets.map(\.origin) == ["env GU1_WEBHOOK_SECRET"])
        #expect(gu1.requireSignature)
        #expect(configuration.handlers.count == 1)
        guard case .log(let log) = try #require(configuration.handlers.first).kind else {
            Issue.record("expected one log handler to stdout")
            return
        }
        #expect(log.fileDescriptor == FileHandle.standardOutput.fileDescriptor)
    }

    @Test func builtInDefaultsIncludeTheArgosRouteWhenItsTokenIsSet() throws {
        let result = Configuration.builtInDefaults(environment: [
            "GU1_WEBHOOK_SECRET": "s", "ARGOS_WEBHOOK_TOKEN": "t0ken",
        ])
        #expect(result.problems.isEmpty)
        #expect(result.warnings.isEmpty)
        let configuration = try #require(result.configuration)
        #expect(configuration.routes.map(\.path) == ["/webhooks/gu1", "/webhooks/argos"])
        guard case .argos(let argos) = configuration.routes[1].sender else {
            Issue.record("expected an argos route")
            return
        }
        #expect(argos.token?.utf8 == "t0ken")
    }

    @Test func builtInDefaultsWithoutTheGu1SecretAreAProblem() {
        let result = Configuration.builtInDefaults(environment: [:])
        #expect(result.configuration == nil)
        #expect(result.problems.map(\.path) == ["$.routes[0].secrets[0].env"])
        #expect(result.problems.first?.message.contains("GU1_WEBHOOK_SECRET") == true)
    }

    // MARK: Loading order (docs/reference.md §2)

    @Test func withoutConfigOrConfigJSONTheBuiltInDefaultsAreUsed() throws {
        let directory = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = Configuration.load(
            path: nil,
            environment: ["GU1_WEBHOOK_SECRET": "s"],
            currentDirectory: directory
        )
        #expect(result.source == .builtInDefaults)
        #expect(result.isValid)
    }

    @Test func configJSONInTheCurrentDirectoryIsUsedWhenPresent() throws {
        let directory = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try #"{"listen": {"port": 9999}, "routes": [\#(F.gu1Route)]}"#
            .write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)
        let result = Configuration.load(path: nil, environment: F.environment, currentDirectory: directory)
        #expect(result.source == .file("config.json"))
        #expect(result.configuration?.server.port == 9999)
    }

    @Test func explicitConfigWinsOverConfigJSON() throws {
        let directory = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try #"{"listen": {"port": 9999}, "routes": [\#(F.gu1Route)]}"#
            .write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)
        try #"{"listen": {"port": 7777}, "routes": [\#(F.gu1Route)]}"#
            .write(toFile: directory + "/other.json", atomically: true, encoding: .utf8)
        let result = Configuration.load(path: "other.json", environment: F.environment, currentDirectory: directory)
        #expect(result.source == .file("other.json"))
        #expect(result.configuration?.server.port == 7777)
    }

    @Test func missingConfigFileIsAProblem() throws {
        let directory = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = Configuration.load(path: "missing.json", environment: F.environment, currentDirectory: directory)
        #expect(result.configuration == nil)
        #expect(result.problems.count == 1)
        #expect(result.problems.first?.path == "")
        #expect(result.problems.first?.message.contains("missing.json does not exist") == true)
    }

    @Test func configThatIsADirectoryOrNotJSONIsAProblem() throws {
        let directory = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory + "/dir.json", withIntermediateDirectories: true)
        try "routes = 1\n".write(toFile: directory + "/bad.json", atomically: true, encoding: .utf8)
        let isDirectory = Configuration.load(path: "dir.json", environment: [:], currentDirectory: directory)
        #expect(isDirectory.problems.first?.message.contains("is a directory") == true)
        let notJSON = Configuration.load(path: directory + "/bad.json", environment: [:], currentDirectory: "/")
        #expect(notJSON.problems.count == 1)
        #expect(notJSON.problems.first?.message.contains("bad.json is not valid JSON") == true)
    }

    // MARK: config.example.json

    @Test func exampleConfigurationHasNoProblem() throws {
        let path = F.repositoryRoot + "/config.example.json"
        let result = Configuration.load(
            path: path,
            environment: Self.exampleEnvironment,
            currentDirectory: F.repositoryRoot
        )
        #expect(result.problems.isEmpty, "\(result.problems)")
        let configuration = try #require(result.configuration)
        #expect(configuration.routes.map(\.path) == ["/webhooks/gu1", "/webhooks/argos"])
        #expect(configuration.handlers.map(\.name) == ["log", "audit", "activate", "crm"])
        // Only the exec handler's program (not installed here) may warn.
        #expect(result.warnings.allSatisfy { $0.path == "$.handlers[2].command[0]" }, "\(result.warnings)")
    }

    @Test func exampleConfigurationSetsEveryKey() throws {
        let data = try #require(FileManager.default.contents(atPath: F.repositoryRoot + "/config.example.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(
            Set(document.keys)
                == ["listen", "trustedProxies", "limits", "store", "routes", "handlers", "retry", "logLevel"]
        )
        let limits = try #require(document["limits"] as? [String: Any])
        #expect(
            Set(limits.keys)
                == [
                    "maxBodyBytes", "maxHeaderBytes", "maxTargetBytes", "maxFieldCount", "headerTimeoutSeconds",
                    "bodyTimeoutSeconds", "idleTimeoutSeconds", "maxConnections",
                ]
        )
        let store = try #require(document["store"] as? [String: Any])
        #expect(Set(store.keys) == ["kind", "path", "payloadRetentionDays", "keyRetentionDays", "groupCommit"])
        let handlers = try #require(document["handlers"] as? [[String: Any]])
        #expect(Set(handlers.compactMap { $0["type"] as? String }) == ["log", "file", "exec", "http"])
    }

    /// docs/configuration.md documents every key the loader accepts.
    @Test func documentationNamesEveryKey() throws {
        let data = try #require(FileManager.default.contents(atPath: F.repositoryRoot + "/docs/configuration.md"))
        let text = String(decoding: data, as: UTF8.self)
        let keys = [
            "listen", "host", "port", "trustedProxies", "limits", "maxBodyBytes", "maxHeaderBytes", "maxTargetBytes",
            "maxFieldCount", "headerTimeoutSeconds", "bodyTimeoutSeconds", "idleTimeoutSeconds", "maxConnections",
            "store", "kind", "path", "url", "payloadRetentionDays", "keyRetentionDays", "groupCommit", "routes",
            "sender", "secrets", "requireSignature", "token", "decrypt", "decrypt.algorithm", "decrypt.apiKey",
            "allowFrom", "handlers", "name", "type", "match", "concurrency", "stream", "command", "timeoutSeconds",
            "signingSecret", "types", "sources", "outcomes", "retry", "maxAttempts", "initialDelaySeconds",
            "maxDelaySeconds", "logLevel", "optional",
        ]
        for key in keys {
            #expect(text.contains("`\(key)`"), "docs/configuration.md does not document \(key)")
        }
    }

    // MARK: check-config

    @Test func checkReportListsEveryProblemWithItsPathAndExitsTwo() {
        let result = F.parse(
            #"{"listen": {"port": 0.5}, "store": {"kind": "memory"}, "routes": [], "retry": {"maxAttempts": 0}}"#
        )
        let report = ConfigurationChecker.report(for: result)
        #expect(report.exitCode == 2)
        let lines = report.text.split(separator: "\n").map(String.init)
        #expect(lines.first == "checking the configuration")
        #expect(lines.filter { $0.hasPrefix("error: ") }.count == 3)
        #expect(lines.contains { $0.hasPrefix("error: $.listen.port: ") })
        #expect(lines.contains { $0.hasPrefix("error: $.routes: ") })
        #expect(lines.contains { $0.hasPrefix("error: $.retry.maxAttempts: ") })
        #expect(lines.contains { $0.hasPrefix("warning: $.store.kind: ") })
        #expect(lines.last == "3 problems")
    }

    @Test func checkReportOfAValidConfigurationEndsWithConfigurationOK() throws {
        let directory = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let report = ConfigurationChecker.check(
            path: nil,
            environment: ["GU1_WEBHOOK_SECRET": "gu1-secret-value"],
            currentDirectory: directory
        )
        #expect(report.exitCode == 0)
        let lines = report.text.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("checking the built-in defaults") == true)
        #expect(lines.contains { $0.hasPrefix("warning: $.routes[1]: ") })
        #expect(lines.contains("route /webhooks/gu1 gu1 (1 secret, signature required)"))
        #expect(lines.last == "configuration OK")
        #expect(!report.text.contains("gu1-secret-value"))
    }

    @Test func checkReportOfAFileProblemHasNoPath() throws {
        let directory = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let report = ConfigurationChecker.check(path: "nope.json", environment: [:], currentDirectory: directory)
        #expect(report.exitCode == 2)
        #expect(report.text.contains("\nerror: configuration file nope.json does not exist"))
        #expect(report.text.hasSuffix("\n1 problem\n"))
    }
}
