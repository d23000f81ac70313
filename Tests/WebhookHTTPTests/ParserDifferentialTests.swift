import Foundation
import Testing
import WebhookTesting

/// Runs Tests/differential/http_differential.py: random valid and mutated requests fed to `http-probe` and to
/// Python's h11, failing on any disagreement that docs/http.md does not list as a deliberate stricter choice.
///
/// CI installs python3 and h11 (.ci/run); when they are missing this test fails with a clear message rather
/// than skipping, so the differential check cannot silently stop running.
@Suite("HTTP parser differential")
struct ParserDifferentialTests {
    /// The package root, from this file's path (Tests/WebhookHTTPTests/<file>).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(.timeLimit(.minutes(5)))
    func agreesWithH11() async throws {
        // Waiting for the child processes blocks: on a thread of its own, not the cooperative pool.
        try await Blocking.onThread { try Self.compareWithH11() }
    }

    static func compareWithH11() throws {
        let h11 = try run("/usr/bin/env", ["python3", "-c", "import h11"])
        guard h11.status == 0 else {
            Issue.record(
                "the differential test needs python3 with h11 (python3 -m pip install h11): \(h11.output)"
            )
            return
        }
        let probe = try #require(try probePath(), "http-probe could not be found or built")
        let script = Self.packageRoot.appendingPathComponent("Tests/differential/http_differential.py").path
        let result = try run(
            "/usr/bin/env",
            ["python3", script, "--probe", probe, "--seed", "20260522", "--count", "3000"]
        )
        #expect(result.status == 0, "unexplained disagreements with h11:\n\(result.output)")
        #expect(result.output.contains("0 unexplained"), "\(result.output)")
    }

    /// The built `http-probe`: beside the test bundle, in .build/debug, or built now.
    static func probePath() throws -> String? {
        let fileManager = FileManager.default
        var candidates: [String] = []
        if let executable = CommandLine.arguments.first {
            let directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
            candidates.append(directory.appendingPathComponent("http-probe").path)
            // On Linux the runner is <build>/debug/<package>PackageTests.xctest; tools may run it from elsewhere.
            candidates.append(directory.deletingLastPathComponent().appendingPathComponent("http-probe").path)
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/http-probe").path)
        if let found = candidates.first(where: { fileManager.isExecutableFile(atPath: $0) }) { return found }
        // Not built (e.g. a filtered build): build it into a separate scratch path, since the running
        // `swift test` may hold the lock of .build.
        let scratch = packageRoot.appendingPathComponent(".build/differential-probe").path
        let build = try run(
            "/usr/bin/env",
            [
                "swift", "build", "--package-path", packageRoot.path, "--scratch-path", scratch, "--product",
                "http-probe",
            ]
        )
        guard build.status == 0 else {
            Issue.record("swift build --product http-probe failed:\n\(build.output)")
            return nil
        }
        let built = scratch + "/debug/http-probe"
        return fileManager.isExecutableFile(atPath: built) ? built : nil
    }
}

/// Runs a program to completion and returns its exit status and combined output.
private func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let output = try ChildProcess.run(URL(fileURLWithPath: executable), arguments)
    return (output.status, output.standardOutput + output.standardError)
}
