import Foundation
import WebhookApp
import WebhookHTTP

/// Helpers shared by the configuration suites.
enum ConfigurationFixtures {
    /// The environment the broken-config table runs with.
    static let environment = [
        "GU1_SECRET": "gu1-test-secret",
        "ARGOS_TOKEN": "argos-test-token",
        "ARGOS_KEY": "argos-test-api-key",
    ]

    /// A valid Gu1 route.
    static let gu1Route = #"{"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"env": "GU1_SECRET"}]}"#
    /// A valid ARGOS route.
    static let argosRoute = #"{"path": "/webhooks/argos", "sender": "argos", "token": {"env": "ARGOS_TOKEN"}}"#

    /// Parses `json` as a configuration file.
    static func parse(
        _ json: String,
        environment: [String: String] = ConfigurationFixtures.environment,
        currentDirectory: String = "/"
    ) -> ConfigurationLoadResult {
        Configuration.parse(json: Array(json.utf8), environment: environment, currentDirectory: currentDirectory)
    }

    /// A fresh empty directory under the temporary directory.
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "kyc-webhooks-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The repository root (where `config.example.json` is), from this file's path.
    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .deletingLastPathComponent()
            .path
    }
}

/// What the `listen` and `limits` sections set on the listener's configuration, comparable as a whole
/// (``HTTPServerConfiguration`` holds a callback, so it is not `Equatable` itself).
struct ServerSettings: Equatable, CustomStringConvertible {
    var host: String
    var port: Int
    var maxBodyBytes: Int
    var maxHeaderBytes: Int
    var maxTargetBytes: Int
    var maxFieldCount: Int
    var headerTimeoutSeconds: Double
    var bodyTimeoutSeconds: Double
    var idleTimeoutSeconds: Double
    var maxConnections: Int

    init(_ server: HTTPServerConfiguration) {
        host = server.host
        port = server.port
        maxBodyBytes = server.parserLimits.maxBodyBytes
        maxHeaderBytes = server.parserLimits.maxHeaderBytes
        maxTargetBytes = server.parserLimits.maxTargetLength
        maxFieldCount = server.parserLimits.maxFieldCount
        headerTimeoutSeconds = server.headerTimeoutSeconds
        bodyTimeoutSeconds = server.bodyTimeoutSeconds
        idleTimeoutSeconds = server.idleTimeoutSeconds
        maxConnections = server.maxConnections
    }

    var description: String { "\(host):\(port) \(maxBodyBytes)/\(maxHeaderBytes)/\(maxTargetBytes)/\(maxFieldCount)" }
}
