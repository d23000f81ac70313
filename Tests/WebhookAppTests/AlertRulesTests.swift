import Foundation
import Testing
import WebhookApp
import WebhookTesting

/// The shipped alerting rules (deploy/prometheus/alerts.yml) are valid, each has a unit test that fires it,
/// the tests pass under the real promtool, and every metric a rule reads is one the daemon exports.
@Suite struct AlertRulesTests {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/prometheus")

    /// Runs promtool (from the Debian package `prometheus`; a missing one fails the test) in `folder`.
    static func promtool(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let promtool = try #require(
            MetricsWebhookTests.findExecutable("promtool"),
            "promtool is not on PATH: scripts/test.sh installs the prometheus package"
        )
        return try await Blocking.run {
            let output = try ChildProcess.run(promtool, arguments, directory: folder)
            return (output.status, output.standardOutput + output.standardError)
        }
    }

    static func text(_ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }

    /// The names after `alert:` in alerts.yml.
    static func alertNames() throws -> [String] {
        try text("alerts.yml").split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("- alert:") else { return nil }
            return trimmed.dropFirst("- alert:".count).trimmingCharacters(in: .whitespaces)
        }
    }

    @Test func rulesAreValid() async throws {
        let result = try await Self.promtool(["check", "rules", "alerts.yml"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("SUCCESS: \(try Self.alertNames().count) rules found"), "\(result.output)")
    }

    @Test func everyRuleHasAUnitTestThatFiresItAndTheTestsPass() async throws {
        let names = try Self.alertNames()
        #expect(names.count >= 7)
        let tests = try Self.text("alerts_test.yml")
        for name in names {
            // A test that expects it to fire: its alertname followed by a non-empty exp_alerts list.
            let fires = tests.components(separatedBy: "alertname: \(name)\n").dropFirst().contains {
                $0.drop { $0 == " " }.hasPrefix("exp_alerts:\n")
            }
            #expect(fires, "\(name) has no unit test in which it fires")
        }
        let result = try await Self.promtool(["test", "rules", "alerts_test.yml"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("SUCCESS"), "\(result.output)")
    }

    @Test func everyMetricTheRulesReadIsExported() throws {
        let rules = try Self.text("alerts.yml")
        let metrics = WebhookMetrics(version: "test", routes: ["/webhooks/gu1"], handlers: ["audit"]).render()
        let exported = Set(
            metrics.split(separator: "\n").compactMap { line -> String? in
                guard line.hasPrefix("# TYPE ") else { return nil }
                return line.dropFirst("# TYPE ".count).split(separator: " ").first.map(String.init)
            }
        )
        var read: Set<String> = []
        let pattern = /kyc_webhooks_[a-z_]+/
        for match in rules.matches(of: pattern) { read.insert(String(match.output)) }
        #expect(!read.isEmpty)
        for name in read {
            let family = ["_count", "_sum", "_bucket"].reduce(name) { name, suffix in
                name.hasSuffix(suffix) && exported.contains(String(name.dropLast(suffix.count)))
                    ? String(name.dropLast(suffix.count)) : name
            }
            #expect(exported.contains(family), "alerts.yml reads \(name), which the daemon does not export")
        }
    }
}
