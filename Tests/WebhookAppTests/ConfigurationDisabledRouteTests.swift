import Testing
import WebhookApp

/// A route is "disabled" only when all its secrets are optional and unset, never beside a missing required one.
@Suite struct ConfigurationDisabledRouteTests {
    static func load(_ secrets: String) -> ConfigurationLoadResult {
        Configuration.parse(
            json: Array(
                """
                {"routes": [{"path": "/webhooks/gu1", "sender": "gu1", "secrets": \(secrets)},
                            {"path": "/webhooks/other", "sender": "gu1", "secrets": [{"env": "SET_ONE"}]}]}
                """.utf8
            ),
            environment: ["SET_ONE": "s"],
            currentDirectory: "/"
        )
    }

    @Test func missingRequiredSecretIsAnErrorWithoutADisabledWarning() {
        let result = Self.load(#"[{"env": "MISSING_REQUIRED"}, {"env": "MISSING_OPTIONAL", "optional": true}]"#)
        #expect(result.problems.map(\.path) == ["$.routes[0].secrets[0].env"])
        #expect(!result.warnings.contains { $0.message.contains("is disabled") })
    }

    @Test func onlyOptionalUnsetSecretsDisableTheRoute() {
        let result = Self.load(#"[{"env": "MISSING_OPTIONAL", "optional": true}]"#)
        #expect(result.problems.isEmpty)
        #expect(result.warnings.contains { $0.path == "$.routes[0]" && $0.message.contains("is disabled") })
        #expect(result.configuration?.routes.map(\.path) == ["/webhooks/other"])
    }
}
