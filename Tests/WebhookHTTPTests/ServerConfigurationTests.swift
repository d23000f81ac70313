import Foundation
import Testing
import WebhookHTTP

@Suite struct ServerConfigurationTests {
    /// The default loop count follows the CPUs this process may use (`taskset`, cpusets), as the kernel
    /// lists them in `/proc/self/status`.
    @Test func defaultLoopCountIsTheAllowedCPUs() throws {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") })
        let list = line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces)
        var allowed = 0
        for range in list.split(separator: ",") {
            let bounds = range.split(separator: "-").compactMap { Int($0) }
            allowed += bounds.count == 2 ? bounds[1] - bounds[0] + 1 : 1
        }
        #expect(HTTPServerConfiguration().eventLoopCount == allowed)
    }

    @Test func secureDefaults() {
        let configuration = HTTPServerConfiguration()
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.idleTimeoutSeconds > 60)
        #expect(configuration.parserLimits.maxBodyBytes <= 2 * 1_048_576)
        #expect(configuration.maxConnections > 0)
    }
}
