import Foundation
import Testing
import WebhookApp
import WebhookCore
import WebhookHTTP

@Suite struct ConfigurationParsingTests {
    typealias F = ConfigurationFixtures

    // MARK: A table of broken configurations

    struct BrokenCase: CustomTestStringConvertible, Sendable {
        var name: String
        var json: String
        /// The one problem the document must produce.
        var path: String
        var testDescription: String { name }
    }

    static let gu1 = F.gu1Route
    static let argos = F.argosRoute

    static let brokenCases: [BrokenCase] = [
        BrokenCase(name: "not an object", json: #"[1, 2]"#, path: "$"),
        BrokenCase(
            name: "port out of range",
            json: #"{"listen": {"port": 70000}, "routes": [\#(gu1)]}"#,
            path: "$.listen.port"
        ),
        BrokenCase(
            name: "negative port",
            json: #"{"listen": {"port": -1}, "routes": [\#(gu1)]}"#,
            path: "$.listen.port"
        ),
        BrokenCase(
            name: "port as string",
            json: #"{"listen": {"port": "8080"}, "routes": [\#(gu1)]}"#,
            path: "$.listen.port"
        ),
        BrokenCase(
            name: "fractional port",
            json: #"{"listen": {"port": 80.5}, "routes": [\#(gu1)]}"#,
            path: "$.listen.port"
        ),
        BrokenCase(
            name: "host name",
            json: #"{"listen": {"host": "example.com"}, "routes": [\#(gu1)]}"#,
            path: "$.listen.host"
        ),
        BrokenCase(name: "listen not an object", json: #"{"listen": 8080, "routes": [\#(gu1)]}"#, path: "$.listen"),
        BrokenCase(
            name: "negative body limit",
            json: #"{"limits": {"maxBodyBytes": -1}, "routes": [\#(gu1)]}"#,
            path: "$.limits.maxBodyBytes"
        ),
        BrokenCase(
            name: "zero header timeout",
            json: #"{"limits": {"headerTimeoutSeconds": 0}, "routes": [\#(gu1)]}"#,
            path: "$.limits.headerTimeoutSeconds"
        ),
        BrokenCase(
            name: "negative connections",
            json: #"{"limits": {"maxConnections": -5}, "routes": [\#(gu1)]}"#,
            path: "$.limits.maxConnections"
        ),
        BrokenCase(
            name: "boolean limit",
            json: #"{"limits": {"maxFieldCount": true}, "routes": [\#(gu1)]}"#,
            path: "$.limits.maxFieldCount"
        ),
        BrokenCase(
            name: "bad trusted proxy",
            json: #"{"trustedProxies": ["10.0.0.0/33"], "routes": [\#(gu1)]}"#,
            path: "$.trustedProxies[0]"
        ),
        BrokenCase(
            name: "trusted proxy with host bits",
            json: #"{"trustedProxies": ["127.0.0.1/32", "10.1.2.3/8"], "routes": [\#(gu1)]}"#,
            path: "$.trustedProxies[1]"
        ),
        BrokenCase(
            name: "unknown store kind",
            json: #"{"store": {"kind": "mysql"}, "routes": [\#(gu1)]}"#,
            path: "$.store.kind"
        ),
        BrokenCase(
            name: "postgres without url",
            json: #"{"store": {"kind": "postgres"}, "routes": [\#(gu1)]}"#,
            path: "$.store.url"
        ),
        BrokenCase(
            name: "postgres url env unset",
            json: #"{"store": {"kind": "postgres", "url": {"env": "DATABASE_URL"}}, "routes": [\#(gu1)]}"#,
            path: "$.store.url.env"
        ),
        BrokenCase(
            name: "url on sqlite",
            json: #"{"store": {"url": {"env": "GU1_SECRET"}}, "routes": [\#(gu1)]}"#,
            path: "$.store.url"
        ),
        BrokenCase(
            name: "path on postgres",
            json:
                #"{"store": {"kind": "postgres", "url": {"env": "GU1_SECRET"}, "path": "x.db"}, "routes": [\#(gu1)]}"#,
            path: "$.store.path"
        ),
        BrokenCase(
            name: "keys kept shorter than payloads",
            json: #"{"store": {"payloadRetentionDays": 30, "keyRetentionDays": 7}, "routes": [\#(gu1)]}"#,
            path: "$.store.keyRetentionDays"
        ),
        BrokenCase(
            name: "group commit as string",
            json: #"{"store": {"groupCommit": "yes"}, "routes": [\#(gu1)]}"#,
            path: "$.store.groupCommit"
        ),
        BrokenCase(name: "no routes", json: #"{"listen": {"port": 8080}}"#, path: "$.routes"),
        BrokenCase(name: "empty routes", json: #"{"routes": []}"#, path: "$.routes"),
        BrokenCase(
            name: "unknown sender",
            json: #"{"routes": [{"path": "/webhooks/x", "sender": "stripe", "secrets": [{"env": "GU1_SECRET"}]}]}"#,
            path: "$.routes[0].sender"
        ),
        BrokenCase(
            name: "missing sender",
            json: #"{"routes": [{"path": "/webhooks/x", "token": {"env": "ARGOS_TOKEN"}}]}"#,
            path: "$.routes[0].sender"
        ),
        BrokenCase(
            name: "relative route path",
            json: #"{"routes": [{"path": "webhooks/gu1", "sender": "gu1", "secrets": [{"env": "GU1_SECRET"}]}]}"#,
            path: "$.routes[0].path"
        ),
        BrokenCase(
            name: "route path with query",
            json: #"{"routes": [{"path": "/webhooks/gu1?x=1", "sender": "gu1", "secrets": [{"env": "GU1_SECRET"}]}]}"#,
            path: "$.routes[0].path"
        ),
        BrokenCase(
            name: "route on an operational endpoint",
            json: #"{"routes": [{"path": "/metrics", "sender": "gu1", "secrets": [{"env": "GU1_SECRET"}]}]}"#,
            path: "$.routes[0].path"
        ),
        BrokenCase(
            name: "missing route path",
            json: #"{"routes": [{"sender": "gu1", "secrets": [{"env": "GU1_SECRET"}]}]}"#,
            path: "$.routes[0].path"
        ),
        BrokenCase(name: "duplicate route paths", json: #"{"routes": [\#(gu1), \#(gu1)]}"#, path: "$.routes[1].path"),
        BrokenCase(
            name: "route inside the token form of an argos route",
            json:
                #"{"routes": [\#(argos), {"path": "/webhooks/argos/extra", "sender": "gu1", "secrets": [{"env": "GU1_SECRET"}]}]}"#,
            path: "$.routes[1].path"
        ),
        BrokenCase(
            name: "gu1 route without secrets",
            json: #"{"routes": [{"path": "/webhooks/gu1", "sender": "gu1"}]}"#,
            path: "$.routes[0].secrets"
        ),
        BrokenCase(
            name: "gu1 route with empty secrets",
            json: #"{"routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": []}]}"#,
            path: "$.routes[0].secrets"
        ),
        BrokenCase(
            name: "gu1 route with an argos key",
            json:
                #"{"routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"env": "GU1_SECRET"}], "token": {"env": "ARGOS_TOKEN"}}]}"#,
            path: "$.routes[0].token"
        ),
        BrokenCase(
            name: "requireSignature as string",
            json:
                #"{"routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"env": "GU1_SECRET"}], "requireSignature": "no"}]}"#,
            path: "$.routes[0].requireSignature"
        ),
        BrokenCase(
            name: "argos route without authentication",
            json: #"{"routes": [\#(gu1), {"path": "/webhooks/argos", "sender": "argos"}]}"#,
            path: "$.routes[1]"
        ),
        BrokenCase(
            name: "argos token env unset",
            json:
                #"{"routes": [\#(gu1), {"path": "/webhooks/argos", "sender": "argos", "token": {"env": "NOT_SET_ANYWHERE"}}]}"#,
            path: "$.routes[1].token.env"
        ),
        BrokenCase(
            name: "argos token not URL-safe",
            json: #"{"routes": [{"path": "/webhooks/argos", "sender": "argos", "token": {"value": "a/b"}}]}"#,
            path: "$.routes[0].token"
        ),
        BrokenCase(
            name: "empty allowFrom",
            json: #"{"routes": [{"path": "/webhooks/argos", "sender": "argos", "allowFrom": []}]}"#,
            path: "$.routes[0].allowFrom"
        ),
        BrokenCase(
            name: "bad allowFrom range",
            json:
                #"{"routes": [{"path": "/webhooks/argos", "sender": "argos", "allowFrom": ["203.0.113.0/24", "nope"]}]}"#,
            path: "$.routes[0].allowFrom[1]"
        ),
        BrokenCase(
            name: "unknown decrypt algorithm",
            json:
                #"{"routes": [{"path": "/a", "sender": "argos", "decrypt": {"algorithm": "aes-128-cbc", "apiKey": {"env": "ARGOS_KEY"}}}]}"#,
            path: "$.routes[0].decrypt.algorithm"
        ),
        BrokenCase(
            name: "decrypt without apiKey",
            json: #"{"routes": [{"path": "/a", "sender": "argos", "decrypt": {"algorithm": "aes-256-ecb"}}]}"#,
            path: "$.routes[0].decrypt.apiKey"
        ),
        BrokenCase(
            name: "secret as a bare string",
            json: #"{"routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": ["literal"]}]}"#,
            path: "$.routes[0].secrets[0]"
        ),
        BrokenCase(
            name: "secret with two sources",
            json:
                #"{"routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"env": "GU1_SECRET", "file": "/x"}]}]}"#,
            path: "$.routes[0].secrets[0]"
        ),
        BrokenCase(
            name: "secret with no source",
            json: #"{"routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"optional": true}]}]}"#,
            path: "$.routes[0].secrets[0]"
        ),
        BrokenCase(
            name: "invalid environment variable name",
            json: #"{"routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"env": "1-BAD"}]}]}"#,
            path: "$.routes[0].secrets[0].env"
        ),
        BrokenCase(
            name: "missing secret file",
            json:
                #"{"routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"file": "/nonexistent/kyc-webhooks/secret"}]}]}"#,
            path: "$.routes[0].secrets[0].file"
        ),
        BrokenCase(
            name: "optional flag as string",
            json:
                #"{"routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"env": "GU1_SECRET", "optional": "yes"}]}]}"#,
            path: "$.routes[0].secrets[0].optional"
        ),
        BrokenCase(
            name: "handlers not an array",
            json: #"{"routes": [\#(gu1)], "handlers": {"name": "log", "type": "log"}}"#,
            path: "$.handlers"
        ),
        BrokenCase(
            name: "unknown handler type",
            json: #"{"routes": [\#(gu1)], "handlers": [{"name": "m", "type": "smtp"}]}"#,
            path: "$.handlers[0].type"
        ),
        BrokenCase(
            name: "missing handler type",
            json: #"{"routes": [\#(gu1)], "handlers": [{"name": "m"}]}"#,
            path: "$.handlers[0].type"
        ),
        BrokenCase(
            name: "missing handler name",
            json: #"{"routes": [\#(gu1)], "handlers": [{"type": "log"}]}"#,
            path: "$.handlers[0].name"
        ),
        BrokenCase(
            name: "handler name with spaces",
            json: #"{"routes": [\#(gu1)], "handlers": [{"name": "my handler", "type": "log"}]}"#,
            path: "$.handlers[0].name"
        ),
        BrokenCase(
            name: "duplicate handler names",
            json:
                #"{"routes": [\#(gu1)], "handlers": [{"name": "a", "type": "log"}, {"name": "a", "type": "file", "path": "x.jsonl"}]}"#,
            path: "$.handlers[1].name"
        ),
        BrokenCase(
            name: "empty exec command",
            json: #"{"routes": [\#(gu1)], "handlers": [{"name": "e", "type": "exec", "command": []}]}"#,
            path: "$.handlers[0].command"
        ),
        BrokenCase(
            name: "exec command as string",
            json: #"{"routes": [\#(gu1)], "handlers": [{"name": "e", "type": "exec", "command": "/bin/true --x"}]}"#,
            path: "$.handlers[0].command"
        ),
        BrokenCase(
            name: "exec argument not a string",
            json: #"{"routes": [\#(gu1)], "handlers": [{"name": "e", "type": "exec", "command": ["/bin/true", 3]}]}"#,
            path: "$.handlers[0].command[1]"
        ),
        BrokenCase(
            name: "missing exec command",
            json: #"{"routes": [\#(gu1)], "handlers": [{"name": "e", "type": "exec"}]}"#,
            path: "$.handlers[0].command"
        ),
        BrokenCase(
            name: "negative exec timeout",
            json:
                #"{"routes": [\#(gu1)], "handlers": [{"name": "e", "type": "exec", "command": ["/bin/true"], "timeoutSeconds": -5}]}"#,
            path: "$.handlers[0].timeoutSeconds"
        ),
        BrokenCase(
            name: "non-http url",
            json: #"{"routes": [\#(gu1)], "handlers": [{"name": "h", "type": "http", "url": "ftp://example.com/x"}]}"#,
            path: "$.handlers[0].url"
        ),
        BrokenCase(
            name: "url without host",
            json: #"{"routes": [\#(gu1)], "handlers": [{"name": "h", "type": "http", "url": "not a url"}]}"#,
            path: "$.handlers[0].url"
        ),
        BrokenCase(
            name: "url with credentials",
            json:
                #"{"routes": [\#(gu1)], "handlers": [{"name": "h", "type": "http", "url": "https://user:pw@example.com/x"}]}"#,
            path: "$.handlers[0].url"
        ),
        BrokenCase(
            name: "http signing secret unset",
            json: #"""
                {"routes": [\#(gu1)],
                 "handlers": [{"name": "h", "type": "http", "url": "https://example.com", "signingSecret": {"env": "UNSET_X"}}]}
                """#,
            path: "$.handlers[0].signingSecret.env"
        ),
        BrokenCase(
            name: "missing file path",
            json: #"{"routes": [\#(gu1)], "handlers": [{"name": "f", "type": "file"}]}"#,
            path: "$.handlers[0].path"
        ),
        BrokenCase(
            name: "key of another handler type",
            json:
                #"{"routes": [\#(gu1)], "handlers": [{"name": "f", "type": "file", "path": "x.jsonl", "url": "https://example.com"}]}"#,
            path: "$.handlers[0].url"
        ),
        BrokenCase(
            name: "unknown log stream",
            json: #"{"routes": [\#(gu1)], "handlers": [{"name": "l", "type": "log", "stream": "syslog"}]}"#,
            path: "$.handlers[0].stream"
        ),
        BrokenCase(
            name: "zero concurrency",
            json: #"{"routes": [\#(gu1)], "handlers": [{"name": "l", "type": "log", "concurrency": 0}]}"#,
            path: "$.handlers[0].concurrency"
        ),
        BrokenCase(
            name: "outcome outside the vocabulary",
            json:
                #"{"routes": [\#(gu1)], "handlers": [{"name": "l", "type": "log", "match": {"outcomes": ["approve"]}}]}"#,
            path: "$.handlers[0].match.outcomes[0]"
        ),
        BrokenCase(
            name: "unknown source",
            json:
                #"{"routes": [\#(gu1)], "handlers": [{"name": "l", "type": "log", "match": {"sources": ["argos", "gu2.kyc"]}}]}"#,
            path: "$.handlers[0].match.sources[1]"
        ),
        BrokenCase(
            name: "source glob",
            json:
                #"{"routes": [\#(gu1)], "handlers": [{"name": "l", "type": "log", "match": {"sources": ["gu1.*"]}}]}"#,
            path: "$.handlers[0].match.sources[0]"
        ),
        BrokenCase(
            name: "empty outcomes list",
            json: #"{"routes": [\#(gu1)], "handlers": [{"name": "l", "type": "log", "match": {"outcomes": []}}]}"#,
            path: "$.handlers[0].match.outcomes"
        ),
        BrokenCase(
            name: "type without family",
            json:
                #"{"routes": [\#(gu1)], "handlers": [{"name": "l", "type": "log", "match": {"types": ["approved"]}}]}"#,
            path: "$.handlers[0].match.types[0]"
        ),
        BrokenCase(
            name: "match stale not a boolean",
            json: #"{"routes": [\#(gu1)], "handlers": [{"name": "l", "type": "log", "match": {"stale": "false"}}]}"#,
            path: "$.handlers[0].match.stale"
        ),
        BrokenCase(
            name: "match not an object",
            json: #"{"routes": [\#(gu1)], "handlers": [{"name": "l", "type": "log", "match": ["kyc.*"]}]}"#,
            path: "$.handlers[0].match"
        ),
        BrokenCase(
            name: "zero attempts",
            json: #"{"routes": [\#(gu1)], "retry": {"maxAttempts": 0}}"#,
            path: "$.retry.maxAttempts"
        ),
        BrokenCase(
            name: "max delay below initial delay",
            json: #"{"routes": [\#(gu1)], "retry": {"initialDelaySeconds": 60, "maxDelaySeconds": 10}}"#,
            path: "$.retry.maxDelaySeconds"
        ),
        BrokenCase(
            name: "unknown log level",
            json: #"{"routes": [\#(gu1)], "logLevel": "verbose"}"#,
            path: "$.logLevel"
        ),
    ]

    @Test("a broken config yields exactly one problem at its path", arguments: brokenCases)
    func brokenConfiguration(_ testCase: BrokenCase) {
        let result = F.parse(testCase.json)
        #expect(result.configuration == nil)
        #expect(result.problems.map(\.path) == [testCase.path], "\(result.problems)")
        #expect(result.problems.allSatisfy { $0.severity == .error && !$0.message.isEmpty })
    }

    // MARK: Unknown keys

    @Test func unknownKeysAreErrorsAtEveryLevel() {
        let json = #"""
            {
              "lisen": {},
              "listen": { "prot": 8080 },
              "limits": { "maxBody": 1 },
              "store": { "kinds": "sqlite" },
              "routes": [
                { "path": "/webhooks/gu1", "sender": "gu1", "secret": [], "secrets": [ { "env": "GU1_SECRET", "envv": "X" } ] },
                { "path": "/webhooks/argos", "sender": "argos",
                  "decrypt": { "apiKey": { "env": "ARGOS_KEY" }, "key": "x" } }
              ],
              "handlers": [ { "name": "l", "type": "log", "match": { "type": ["kyc.*"] } } ],
              "retry": { "attempts": 3 }
            }
            """#
        let result = F.parse(json)
        let paths = Set(result.problems.map(\.path))
        #expect(
            paths == [
                "$.lisen", "$.listen.prot", "$.limits.maxBody", "$.store.kinds", "$.routes[0].secret",
                "$.routes[0].secrets[0].envv", "$.routes[1].decrypt.key", "$.handlers[0].match.type",
                "$.retry.attempts",
            ]
        )
        #expect(result.problems.count == 9)
        #expect(result.configuration == nil)
    }

    @Test func unknownKeySuggestsTheClosestKnownKey() throws {
        let result = F.parse(#"{"listen": {"prot": 8080}, "routes": [\#(Self.gu1)]}"#)
        let problem = try #require(result.problems.first)
        #expect(problem.path == "$.listen.prot")
        #expect(problem.message.contains("\"port\""))
    }

    @Test func oddKeysAreQuotedInThePath() {
        let result = F.parse(#"{"routes": [\#(Self.gu1)], "my key": 1}"#)
        #expect(result.problems.map(\.path) == [#"$["my key"]"#])
    }

    // MARK: Duplicate keys

    @Test func repeatedKeysAreErrors() {
        let json = #"""
            {
              "listen": { "port": 1, "host": "127.0.0.1", "port": 2 },
              "routes": [
                { "path": "/webhooks/gu1", "sender": "gu1", "secrets": [ { "env": "GU1_SECRET" } ],
                  "requireSignature": true, "requireSignature": false }
              ],
              "handlers": [ { "name": "a", "type": "log", "n\u0061me": "b" } ]
            }
            """#
        let result = F.parse(json)
        #expect(result.problems.map(\.path) == ["$.listen.port", "$.routes[0].requireSignature", "$.handlers[0].name"])
        #expect(result.problems.allSatisfy { $0.message.contains("appears twice") })
    }

    /// Every repeated key is found, however deep and wherever it is (even under a key that is wrong itself),
    /// and named by its full path.
    @Test func repeatedKeysAreFoundAtAnyDepth() {
        let deep = String(repeating: #"{"a": "#, count: 100) + #"{"x": 1, "x": 2}"# + String(repeating: "}", count: 100)
        let json = #"""
            {"routes": [{"path": "/webhooks/gu1", "sender": "gu1",
                         "secrets": [{"env": "GU1_SECRET", "env": "ARGOS_TOKEN"}]}],
             "retry": \#(deep)}
            """#
        let result = F.parse(json)
        let duplicate = "$.retry" + String(repeating: ".a", count: 100) + ".x"
        #expect(result.problems.map(\.path) == ["$.routes[0].secrets[0].env", duplicate, "$.retry.a"])
        #expect(result.problems.first?.message.contains("appears twice") == true)
        #expect(result.configuration == nil)
    }

    @Test func sameKeyInDifferentObjectsIsFine() {
        let json = #"""
            {"routes": [\#(Self.gu1), {"path": "/a", "sender": "argos", "token": {"env": "ARGOS_TOKEN"}}],
             "handlers": [{"name": "path", "type": "file", "path": "p"}]}
            """#
        #expect(F.parse(json).problems.isEmpty)
    }

    // MARK: Every problem at once

    @Test func reportsEveryProblemAtOnce() {
        let json = #"""
            {
              "listen": { "port": 99999 },
              "routes": [ { "path": "/webhooks/argos", "sender": "argos", "token": { "env": "MISSING_TOKEN" } } ],
              "handlers": [ { "name": "x", "type": "smtp" } ]
            }
            """#
        let result = F.parse(json)
        #expect(result.problems.map(\.path) == ["$.listen.port", "$.routes[0].token.env", "$.handlers[0].type"])
        #expect(result.configuration == nil)
    }

    @Test func notJSONIsOneProblemWithoutPath() throws {
        let result = F.parse(#"{"routes": [ }"#)
        let problem = try #require(result.problems.first)
        #expect(result.problems.count == 1)
        #expect(problem.path == "")
        #expect(problem.message.contains("not valid JSON"))
    }

    @Test func notJSONNamesTheLineAndColumn() throws {
        let result = F.parse("{\n  \"routes\": [],\n  \"listen\": nope\n}")
        let problem = try #require(result.problems.first)
        #expect(problem.message.contains("at line 3, column"), "\(problem.message)")
        #expect(!problem.message.contains("nope"))
    }

    /// The line and column are those of the offending character, counting characters, not bytes.
    @Test func notJSONNamesTheExactLineAndColumnAndTheRule() throws {
        let result = F.parse("{\n  \"listen\": {\"host\": \"127.0.0.1\"},\n  \"routes\": [\"é\", ]\n}")
        let problem = try #require(result.problems.first)
        #expect(result.problems.count == 1)
        #expect(problem.message.contains("(trailing comma at line 3, column 19)"), "\(problem.message)")
        #expect(!problem.message.contains("127.0.0.1"))
    }

    @Test func deeplyNestedDocumentsAreRefusedWithoutCrashing() throws {
        let arrays = F.parse(String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000))
        #expect(arrays.problems.count == 1)
        #expect(arrays.problems.first?.message.contains("nested too deeply") == true)
        // Valid and deep (within the reader's limit): parsed, with the one real problem reported.
        let objects = String(repeating: #"{"a": "#, count: 200) + "1" + String(repeating: "}", count: 200)
        let result = F.parse(#"{"routes": [\#(Self.gu1)], "retry": \#(objects)}"#)
        #expect(result.problems.map(\.path) == ["$.retry.a"])
    }

    // MARK: Warnings

    @Test func warnsForUnsignedGu1RouteLiteralSecretAndMemoryStore() {
        let json = #"""
            {
              "store": { "kind": "memory" },
              "routes": [
                { "path": "/webhooks/gu1", "sender": "gu1", "requireSignature": false },
                { "path": "/webhooks/argos", "sender": "argos", "token": { "value": "literal-token" } }
              ]
            }
            """#
        let result = F.parse(json)
        #expect(result.problems.isEmpty, "\(result.problems)")
        #expect(
            Set(result.warnings.map(\.path)) == [
                "$.store.kind", "$.routes[0].requireSignature", "$.routes[1].token.value",
            ]
        )
        #expect(result.warnings.allSatisfy { $0.severity == .warning })
        let configuration = result.configuration
        #expect(configuration?.store.kind == .memory)
        guard case .gu1(let gu1)? = configuration?.routes.first?.sender else {
            Issue.record("expected a gu1 route")
            return
        }
        #expect(gu1.requireSignature == false)
        #expect(gu1.secrets.isEmpty)
    }

    @Test func requireSignatureDefaultsToTrue() throws {
        let configuration = try #require(F.parse(#"{"routes": [\#(Self.gu1)]}"#).configuration)
        guard case .gu1(let gu1) = try #require(configuration.routes.first).sender else {
            Issue.record("expected a gu1 route")
            return
        }
        #expect(gu1.requireSignature)
        #expect(gu1.secrets.map(\.utf8) == ["gu1-test-secret"])
    }

    @Test func typeGlobOfNoKnownFamilyIsAWarning() {
        let json =
            #"{"routes": [\#(Self.gu1)], "handlers": [{"name": "l", "type": "log", "match": {"types": ["kyc.*", "payment.*"]}}]}"#
        let result = F.parse(json)
        #expect(result.problems.isEmpty)
        #expect(result.warnings.map(\.path) == ["$.handlers[0].match.types[1]"])
    }

    @Test func typesThatNoListedSourceSendsIsAWarning() {
        let json =
            #"{"routes": [\#(Self.gu1)], "handlers": [{"name": "l", "type": "log", "match": {"types": ["kyc.*"], "sources": ["argos"]}}]}"#
        let result = F.parse(json)
        #expect(result.problems.isEmpty)
        #expect(result.warnings.map(\.path) == ["$.handlers[0].match"])
    }

    @Test func shortIdleTimeoutIsAWarning() {
        let result = F.parse(#"{"limits": {"idleTimeoutSeconds": 30}, "routes": [\#(Self.gu1)]}"#)
        #expect(result.problems.isEmpty)
        #expect(result.warnings.map(\.path) == ["$.limits.idleTimeoutSeconds"])
        #expect(result.configuration?.server.idleTimeoutSeconds == 30)
    }

    // MARK: Values

    @Test func parsesAFullConfiguration() throws {
        let json = #"""
            {
              "listen": { "host": "::1", "port": 9090 },
              "trustedProxies": ["10.0.0.0/8"],
              "limits": { "maxBodyBytes": 2048, "maxHeaderBytes": 4096, "maxTargetBytes": 1024, "maxFieldCount": 50,
                          "headerTimeoutSeconds": 2.5, "bodyTimeoutSeconds": 5, "idleTimeoutSeconds": 90, "maxConnections": 10 },
              "store": { "kind": "postgres", "url": { "env": "ARGOS_KEY" }, "payloadRetentionDays": 7, "keyRetentionDays": 7,
                         "groupCommit": false },
              "routes": [
                { "path": "/webhooks/argos", "sender": "argos", "token": { "env": "ARGOS_TOKEN" },
                  "decrypt": { "apiKey": { "env": "ARGOS_KEY" } }, "allowFrom": ["203.0.113.0/24", "2001:db8::/32"] }
              ],
              "handlers": [
                { "name": "run", "type": "exec", "command": ["/bin/sh", "-c", "true"], "concurrency": 1,
                  "match": { "types": ["argos.*"], "sources": ["argos"], "outcomes": ["approved", "in_review"],
                             "stale": false } },
                { "name": "post", "type": "http", "url": "https://example.com/hook" },
                { "name": "errors", "type": "log", "stream": "stderr" }
              ],
              "retry": { "maxAttempts": 3, "initialDelaySeconds": 0.5, "maxDelaySeconds": 60 },
              "logLevel": "debug"
            }
            """#
        let result = F.parse(json)
        #expect(result.problems.isEmpty, "\(result.problems)")
        let configuration = try #require(result.configuration)
        #expect(configuration.trustedProxies.map(\.description) == ["10.0.0.0/8"])
        #expect(
            ServerSettings(configuration.server)
                == ServerSettings(
                    HTTPServerConfiguration(
                        host: "::1",
                        port: 9090,
                        parserLimits: HTTPParserLimits(
                            maxHeaderBytes: 4096,
                            maxTargetLength: 1024,
                            maxFieldCount: 50,
                            maxBodyBytes: 2048
                        ),
                        headerTimeoutSeconds: 2.5,
                        bodyTimeoutSeconds: 5,
                        idleTimeoutSeconds: 90,
                        maxConnections: 10
                    )
                )
        )
        #expect(configuration.store.kind == .postgres)
        #expect(configuration.store.url?.utf8 == "argos-test-api-key")
        #expect(configuration.store.groupCommit == false)
        #expect(configuration.store.payloadRetentionDays == 7)
        let route = try #require(configuration.routes.first)
        #expect(route.path == "/webhooks/argos")
        guard case .argos(let argos) = route.sender else {
            Issue.record("expected an argos route")
            return
        }
        #expect(argos.token?.utf8 == "argos-test-token")
        #expect(argos.decryption?.algorithm == .aes256ECB)
        #expect(argos.decryption?.apiKey.utf8 == "argos-test-api-key")
        #expect(argos.allowFrom?.map(\.description) == ["203.0.113.0/24", "2001:db8::/32"])

        #expect(configuration.handlers.map(\.name) == ["run", "post", "errors"])
        let run = configuration.handlers[0]
        #expect(run.concurrency == 1)
        #expect(
            run.match
                == HandlerMatch(
                    types: ["argos.*"],
                    sources: ["argos"],
                    outcomes: [Outcome.approved.rawValue, Outcome.inReview.rawValue],
                    stale: false
                )
        )
        guard case .exec(let exec) = run.kind else {
            Issue.record("expected an exec handler")
            return
        }
        #expect(exec.command == ["/bin/sh", "-c", "true"])
        #expect(exec.timeout == .seconds(30))
        guard case .http(let http) = configuration.handlers[1].kind else {
            Issue.record("expected an http handler")
            return
        }
        #expect(http.url.absoluteString == "https://example.com/hook")
        #expect(http.timeout == .seconds(10))
        #expect(!http.isSigning)
        #expect(configuration.handlers[1].secrets.isEmpty)
        #expect(configuration.handlers[1].concurrency == 4)
        #expect(configuration.handlers[1].match == nil)
        guard case .log(let log) = configuration.handlers[2].kind else {
            Issue.record("expected a log handler")
            return
        }
        #expect(log.fileDescriptor == FileHandle.standardError.fileDescriptor)
        #expect(
            configuration.retry == RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(500), maxDelay: .seconds(60))
        )
        #expect(configuration.logLevel == .debug)
    }

    @Test func omittedKeysTakeTheSecureDefaults() throws {
        let configuration = try #require(F.parse(#"{"routes": [\#(Self.gu1)]}"#).configuration)
        #expect(configuration.server.host == "127.0.0.1")
        #expect(configuration.server.port == 8080)
        #expect(configuration.trustedProxies.isEmpty)
        #expect(ServerSettings(configuration.server) == ServerSettings(HTTPServerConfiguration()))
        #expect(configuration.server.parserLimits.maxBodyBytes == 1_048_576)
        #expect(configuration.server.parserLimits.maxHeaderBytes == 16_384)
        #expect(configuration.server.headerTimeoutSeconds == 10)
        #expect(configuration.server.bodyTimeoutSeconds == 30)
        #expect(configuration.server.idleTimeoutSeconds == 75)
        #expect(configuration.server.maxConnections == 1024)
        #expect(configuration.store.kind == .sqlite)
        #expect(configuration.store.path == "data/kyc-webhooks.sqlite3")
        #expect(configuration.store.payloadRetentionDays == 30)
        #expect(configuration.store.keyRetentionDays == 365)
        #expect(configuration.store.groupCommit)
        #expect(configuration.store.url == nil)
        #expect(configuration.retry == RetryPolicy(maxAttempts: 8, initialDelay: .seconds(1), maxDelay: .seconds(3600)))
        #expect(configuration.logLevel == nil)
        // No `handlers` key: the one default log handler to stdout.
        #expect(configuration.handlers.map(\.name) == ["log"])
        guard case .log(let log) = try #require(configuration.handlers.first).kind else {
            Issue.record("expected the default log handler")
            return
        }
        #expect(log.fileDescriptor == FileHandle.standardOutput.fileDescriptor)
    }

    /// A handler's default timeout exists once: a handler built in code and one read from a configuration
    /// without `timeoutSeconds` wait the same 10 s (http) and 30 s (exec), as docs/configuration.md says.
    @Test func handlerTimeoutsHaveOneDefaultInCodeAndInTheConfiguration() throws {
        let json = #"""
            {"routes": [\#(Self.gu1)],
             "handlers": [{"name": "h", "type": "http", "url": "https://example.com/hook"},
                          {"name": "e", "type": "exec", "command": ["/bin/true"]}]}
            """#
        let configuration = try #require(F.parse(json).configuration)
        guard case .http(let http) = configuration.handlers[0].kind,
            case .exec(let exec) = configuration.handlers[1].kind
        else {
            Issue.record("expected an http and an exec handler")
            return
        }
        let httpInCode = HTTPEventHandler(url: try #require(URL(string: "https://example.com/hook")))
        #expect(httpInCode.timeout == .seconds(10))
        #expect(http.timeout == httpInCode.timeout)
        let execInCode = ExecEventHandler(command: ["/bin/true"])
        #expect(execInCode.timeout == .seconds(30))
        #expect(exec.timeout == execInCode.timeout)
    }

    /// A Standard Webhooks secret that is not base64 is a configuration problem (not a startup failure), and
    /// the secret is not repeated.
    @Test func unusableSigningSecretIsReportedAtItsPath() throws {
        let json = #"""
            {"routes": [\#(Self.gu1)],
             "handlers": [{"name": "h", "type": "http", "url": "https://example.com/hook",
                           "signingSecret": {"env": "SIGNING"}}]}
            """#
        let result = F.parse(json, environment: F.environment.merging(["SIGNING": "whsec_not*base64"]) { $1 })
        #expect(result.problems.map(\.path) == ["$.handlers[0].signingSecret"])
        #expect(result.problems.allSatisfy { !$0.message.contains("not*base64") })
    }

    @Test func explicitlyEmptyHandlersIsAWarning() {
        let result = F.parse(#"{"routes": [\#(Self.gu1)], "handlers": []}"#)
        #expect(result.problems.isEmpty)
        #expect(result.warnings.map(\.path) == ["$.handlers"])
        #expect(result.configuration?.handlers.isEmpty == true)
    }

    @Test func largeIntegralNumbersAreRangeChecked() {
        let result = F.parse(#"{"limits": {"maxBodyBytes": 1e30}, "routes": [\#(Self.gu1)]}"#)
        #expect(result.problems.map(\.path) == ["$.limits.maxBodyBytes"])
    }
}
