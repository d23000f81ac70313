import Foundation
import Testing
import WebhookApp

@Suite struct ConfigurationSecretTests {
    typealias F = ConfigurationFixtures

    // MARK: Redaction

    @Test func secretNeverDescribesItsValue() {
        let secret = Secret("hunter2-super-secret", origin: "test")
        #expect(secret.description == "Secret(redacted)")
        #expect(secret.debugDescription == "Secret(redacted)")
        #expect("\(secret)" == "Secret(redacted)")
        #expect(String(reflecting: secret) == "Secret(redacted)")
        #expect(Mirror(reflecting: secret).children.isEmpty)
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        #expect(secret.utf8 == "hunter2-super-secret")
        #expect(secret.bytes == Array("hunter2-super-secret".utf8))
        #expect(secret.origin == "test")
    }

    @Test func secretReferenceNeverDescribesALiteralValue() {
        let reference = SecretReference(.value(Secret("hunter2-literal")))
        #expect(reference.description == "value (redacted)")
        #expect(SecretReference(.environment("GU1")).description == "env GU1")
    }

    @Test func configurationDescriptionsNeverContainSecrets() throws {
        let environment = [
            "GU1_SECRET": "ENV-SECRET-VALUE-1", "ARGOS_TOKEN": "ENVTOKENVALUE2", "ARGOS_KEY": "ENV-API-KEY-3",
        ]
        let json = #"""
            {
              "store": { "kind": "postgres", "url": { "env": "ARGOS_KEY" } },
              "routes": [
                { "path": "/webhooks/gu1", "sender": "gu1", "secrets": [ { "env": "GU1_SECRET" }, { "value": "LITERAL-SECRET-4" } ] },
                { "path": "/webhooks/argos", "sender": "argos", "token": { "env": "ARGOS_TOKEN" },
                  "decrypt": { "apiKey": { "env": "ARGOS_KEY" } } }
              ],
              "handlers": [ { "name": "post", "type": "http", "url": "https://example.com", "signingSecret": { "env": "GU1_SECRET" } } ]
            }
            """#
        let result = F.parse(json, environment: environment)
        let configuration = try #require(result.configuration)
        var dumped = ""
        dump(configuration, to: &dumped)
        let texts = [
            String(describing: configuration), String(reflecting: configuration), dumped,
            ConfigurationChecker.report(for: result).text,
        ]
        for text in texts {
            for secret in ["ENV-SECRET-VALUE-1", "ENVTOKENVALUE2", "ENV-API-KEY-3", "LITERAL-SECRET-4"] {
                #expect(!text.contains(secret), "leaked in: \(text.prefix(200))")
            }
        }
    }

    /// A `value` secret plus deliberate errors elsewhere, and a secret pasted where an object belongs: the
    /// report names the problems but never contains either secret.
    @Test func checkConfigReportNeverContainsASecret() {
        let json = #"""
            {
              "listen": { "port": "eighty" },
              "routes": [
                { "path": "/webhooks/gu1", "sender": "gu1", "secrets": [ { "value": "VALUE-SECRET-abc123" } ] },
                { "path": "/webhooks/argos", "sender": "argos", "token": "PASTED-TOKEN-xyz789" },
                { "path": "/webhooks/other", "sender": "argos", "token": { "value": "BAD/TOKEN-SECRET-999" } },
                { "path": "/webhooks/more", "sender": "gu1", "secrets": [ { "value": 12345678 } ] }
              ],
              "handlers": [ { "name": "x", "type": "http", "url": "https://user:URLPASSWORD-555@example.com/" } ]
            }
            """#
        let result = F.parse(json)
        #expect(result.problems.count == 5, "\(result.problems)")
        let report = ConfigurationChecker.report(for: result)
        #expect(report.exitCode == 2)
        for secret in [
            "VALUE-SECRET-abc123", "PASTED-TOKEN-xyz789", "BAD/TOKEN-SECRET-999", "12345678", "URLPASSWORD-555",
        ] {
            #expect(!report.text.contains(secret), "\(report.text)")
        }
        #expect(report.text.contains("warning: $.routes[0].secrets[0].value:"))
    }

    // MARK: Resolution

    @Test func environmentSecretResolves() throws {
        let secret = try SecretReference(.environment("K")).resolve(environment: ["K": "abc"], currentDirectory: "/")
        #expect(secret?.utf8 == "abc")
        #expect(secret?.origin == "env K")
    }

    @Test func missingEnvironmentVariableIsAnErrorUnlessOptional() throws {
        #expect(throws: SecretResolutionError.self) {
            try SecretReference(.environment("MISSING")).resolve(environment: [:], currentDirectory: "/")
        }
        #expect(throws: SecretResolutionError.self) {
            try SecretReference(.environment("EMPTY")).resolve(environment: ["EMPTY": ""], currentDirectory: "/")
        }
        let absent = try SecretReference(.environment("MISSING"), isOptional: true).resolve(
            environment: [:],
            currentDirectory: "/"
        )
        #expect(absent == nil)
    }

    @Test func fileSecretHasTrailingNewlinesTrimmed() throws {
        let directory = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "file-secret\n".write(toFile: directory + "/unix", atomically: true, encoding: .utf8)
        try "crlf-secret\r\n".write(toFile: directory + "/dos", atomically: true, encoding: .utf8)
        try "  spaced \n\n".write(toFile: directory + "/spaced", atomically: true, encoding: .utf8)

        let unix = try SecretReference(.file("unix")).resolve(environment: [:], currentDirectory: directory)
        #expect(unix?.utf8 == "file-secret")
        #expect(unix?.origin == "file unix")
        let dos = try SecretReference(.file(directory + "/dos")).resolve(environment: [:], currentDirectory: "/")
        #expect(dos?.utf8 == "crlf-secret")
        let spaced = try SecretReference(.file("spaced")).resolve(environment: [:], currentDirectory: directory)
        #expect(spaced?.utf8 == "  spaced ")
    }

    @Test func missingOrEmptyFileIsAnErrorUnlessOptional() throws {
        let directory = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "\n".write(toFile: directory + "/empty", atomically: true, encoding: .utf8)
        do {
            _ = try SecretReference(.file("absent")).resolve(environment: [:], currentDirectory: directory)
            Issue.record("a missing file must throw")
        } catch {
            #expect(error.key == "file")
            #expect(error.description.contains("absent"))
        }
        #expect(throws: SecretResolutionError.self) {
            try SecretReference(.file("empty")).resolve(environment: [:], currentDirectory: directory)
        }
        #expect(throws: SecretResolutionError.self) {
            try SecretReference(.file(".")).resolve(environment: [:], currentDirectory: directory)
        }
        let absent = try SecretReference(.file("absent"), isOptional: true).resolve(
            environment: [:],
            currentDirectory: directory
        )
        #expect(absent == nil)
    }

    @Test func fileSecretsInAConfigAreReadRelativeToTheCurrentDirectory() throws {
        let directory = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "from-a-file\n".write(toFile: directory + "/gu1.secret", atomically: true, encoding: .utf8)
        let json = #"{"routes": [{"path": "/g", "sender": "gu1", "secrets": [{"file": "gu1.secret"}]}]}"#
        let result = F.parse(json, environment: [:], currentDirectory: directory)
        #expect(result.problems.isEmpty, "\(result.problems)")
        guard case .gu1(let gu1)? = result.configuration?.routes.first?.sender else {
            Issue.record("expected a gu1 route")
            return
        }
        #expect(gu1.secrets.map(\.utf8) == ["from-a-file"])
    }

    @Test func worldReadableSecretFileIsAWarning() throws {
        let directory = try F.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, mode) in [("open", 0o644), ("closed", 0o600)] {
            try "s3cret\n".write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: "\(directory)/\(name)")
        }
        let json = #"{"routes": [{"path": "/g", "sender": "gu1", "secrets": [{"file": "closed"}, {"file": "open"}]}]}"#
        let result = F.parse(json, environment: [:], currentDirectory: directory)
        #expect(result.problems.isEmpty)
        #expect(result.warnings.map(\.path) == ["$.routes[0].secrets[1].file"])
    }

    @Test func optionalGu1SecretThatIsNotSetIsSkipped() throws {
        let json = #"""
            {"routes": [{"path": "/g", "sender": "gu1",
              "secrets": [{"env": "GU1_SECRET"}, {"env": "GU1_PREVIOUS", "optional": true}, {"file": "/nonexistent/x", "optional": true}]}]}
            """#
        let result = F.parse(json)
        #expect(result.problems.isEmpty)
        #expect(result.warnings.isEmpty)
        guard case .gu1(let gu1)? = result.configuration?.routes.first?.sender else {
            Issue.record("expected a gu1 route")
            return
        }
        #expect(gu1.secrets.map(\.utf8) == ["gu1-test-secret"])

        let rotated = F.parse(json, environment: ["GU1_SECRET": "new", "GU1_PREVIOUS": "old"])
        guard case .gu1(let both)? = rotated.configuration?.routes.first?.sender else {
            Issue.record("expected a gu1 route")
            return
        }
        #expect(both.secrets.map(\.utf8) == ["new", "old"])
    }

    @Test func routeWhoseOnlyAuthenticationIsAnUnsetOptionalSecretIsDisabled() {
        let json = #"""
            {"routes": [
              {"path": "/g", "sender": "gu1", "secrets": [{"env": "GU1_SECRET"}]},
              {"path": "/a", "sender": "argos", "token": {"env": "UNSET_TOKEN", "optional": true}},
              {"path": "/h", "sender": "gu1", "secrets": [{"env": "UNSET_SECRET", "optional": true}]}
            ]}
            """#
        let result = F.parse(json)
        #expect(result.problems.isEmpty)
        #expect(result.warnings.map(\.path) == ["$.routes[1]", "$.routes[2]"])
        #expect(result.configuration?.routes.map(\.path) == ["/g"])
    }

    @Test func everyRouteDisabledIsAnError() {
        let json =
            #"{"routes": [{"path": "/a", "sender": "argos", "token": {"env": "UNSET_TOKEN", "optional": true}}]}"#
        let result = F.parse(json)
        #expect(result.problems.map(\.path) == ["$.routes"])
    }

    @Test func literalOptionalSecretIsAnError() {
        let json = #"{"routes": [{"path": "/g", "sender": "gu1", "secrets": [{"value": "x", "optional": true}]}]}"#
        #expect(F.parse(json).problems.map(\.path) == ["$.routes[0].secrets[0].optional"])
    }
}
