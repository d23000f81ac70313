import Foundation

// Everything that reads the environment or secret files lives here (CONTRIBUTING.md rule 12): the configuration structs
// never do. The environment is always a parameter, so tests pass a dictionary and `serve` passes
// `ProcessInfo.processInfo.environment`.

// MARK: - Secret resolution

/// Why a secret could not be resolved. The description names the variable or file, never the value.
public struct SecretResolutionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key of the secret object the problem is about: `env`, `file` or `value`.
    public var key: String
    /// One sentence saying what to change.
    public var description: String

    /// - Parameters:
    ///   - key: `env`, `file` or `value`.
    ///   - description: one sentence, without the secret.
    public init(key: String, description: String) {
        self.key = key
        self.description = description
    }
}

extension SecretReference {
    /// Largest secret file read (a key or a URL is far smaller; a bigger file is a wrong path).
    static let maximumFileBytes = 64 * 1024

    /// Resolves the secret from `environment` or the file system.
    ///
    /// An environment variable that is unset or empty, or a file that does not exist, makes an optional
    /// secret absent (nil) and a required one an error. A file that exists but cannot be read, is a
    /// directory, is empty or larger than 64 KiB is always an error. Trailing newlines (`\n`, `\r\n`) of
    /// a file are trimmed, as `echo secret > file` and editors add one.
    ///
    /// - Parameters:
    ///   - environment: the process environment (a parameter, never read implicitly).
    ///   - currentDirectory: the directory relative file paths start from.
    /// - Returns: the secret, or nil when it is optional and not set.
    /// - Throws: ``SecretResolutionError`` naming the variable or file.
    public func resolve(
        environment: [String: String],
        currentDirectory: String
    ) throws(SecretResolutionError) -> Secret? {
        switch source {
        case .value(let secret):
            guard !secret.bytes.isEmpty else {
                throw SecretResolutionError(
                    key: "value",
                    description: "the secret value is empty: set a non-empty value, or better, use {\"env\": NAME}"
                )
            }
            return secret
        case .environment(let name):
            guard let value = environment[name], !value.isEmpty else {
                if isOptional { return nil }
                let state = environment[name] == nil ? "is not set" : "is empty"
                throw SecretResolutionError(
                    key: "env",
                    description:
                        "environment variable \(name) \(state): export it before starting, or mark this secret \"optional\": true"
                )
            }
            return Secret(value, origin: "env \(name)")
        case .file(let path):
            return try readFile(path, currentDirectory: currentDirectory)
        }
    }

    private func readFile(_ path: String, currentDirectory: String) throws(SecretResolutionError) -> Secret? {
        let fullPath = Configuration.absolutePath(path, currentDirectory: currentDirectory)
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: fullPath, isDirectory: &isDirectory) else {
            if isOptional { return nil }
            throw SecretResolutionError(
                key: "file",
                description:
                    "secret file \(path) does not exist: create it, fix the path, or mark this secret \"optional\": true"
            )
        }
        guard !isDirectory.boolValue else {
            throw SecretResolutionError(
                key: "file",
                description: "secret file \(path) is a directory: name the file that holds the secret"
            )
        }
        guard manager.isReadableFile(atPath: fullPath), let data = manager.contents(atPath: fullPath) else {
            throw SecretResolutionError(
                key: "file",
                description: "secret file \(path) cannot be read by this user: fix its owner or permissions"
            )
        }
        guard data.count <= SecretReference.maximumFileBytes else {
            throw SecretResolutionError(
                key: "file",
                description: "secret file \(path) is larger than 64 KiB: name the file that holds only the secret"
            )
        }
        var bytes = [UInt8](data)
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") {
            bytes.removeLast()
        }
        guard !bytes.isEmpty else {
            if isOptional { return nil }
            throw SecretResolutionError(
                key: "file",
                description: "secret file \(path) is empty: write the secret into it"
            )
        }
        return Secret(bytes: bytes, origin: "file \(path)")
    }
}

extension SecretReference {
    /// Whether the file of a `file` secret can be read by every user (mode `o+r`): worth a warning.
    func isReadableByEveryone(currentDirectory: String) -> Bool {
        guard case .file(let path) = source else { return false }
        let fullPath = Configuration.absolutePath(path, currentDirectory: currentDirectory)
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: fullPath),
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue
        else { return false }
        return mode & 0o004 != 0
    }
}

// MARK: - Built-in defaults

extension Configuration {
    /// The built-in defaults of docs/reference.md §3, used when there is no `--config` and no `./config.json`.
    ///
    /// Exactly this document, so problems carry the same JSON paths as a file would (documented in
    /// `docs/configuration.md`): listen `127.0.0.1:8080`, sqlite at `data/kyc-webhooks.sqlite3`, a Gu1 route
    /// with the secret in `GU1_WEBHOOK_SECRET`, an ARGOS route with the token in `ARGOS_WEBHOOK_TOKEN`
    /// (disabled with a warning when that is unset), and one `log` handler to stdout.
    public static let builtInDefaultsJSON = """
        {
          "listen": { "host": "127.0.0.1", "port": 8080 },
          "store": { "kind": "sqlite", "path": "data/kyc-webhooks.sqlite3" },
          "routes": [
            { "path": "/webhooks/gu1", "sender": "gu1", "secrets": [ { "env": "GU1_WEBHOOK_SECRET" } ] },
            { "path": "/webhooks/argos", "sender": "argos", "token": { "env": "ARGOS_WEBHOOK_TOKEN", "optional": true } }
          ],
          "handlers": [ { "name": "log", "type": "log", "stream": "stdout" } ]
        }
        """

    /// The built-in defaults (docs/reference.md §3), with their secrets resolved from `environment`.
    ///
    /// `GU1_WEBHOOK_SECRET` unset is an error; `ARGOS_WEBHOOK_TOKEN` unset disables the ARGOS route with a
    /// warning.
    ///
    /// - Parameters:
    ///   - environment: the process environment.
    /// - Returns: the configuration (nil on errors), the problems and the warnings.
    public static func builtInDefaults(environment: [String: String]) -> ConfigurationLoadResult {
        parse(
            json: Array(builtInDefaultsJSON.utf8),
            environment: environment,
            currentDirectory: "/",
            source: .builtInDefaults
        )
    }

    /// `path` if absolute, else `currentDirectory/path`.
    static func absolutePath(_ path: String, currentDirectory: String) -> String {
        if path.hasPrefix("/") { return path }
        if currentDirectory.hasSuffix("/") { return currentDirectory + path }
        return currentDirectory + "/" + path
    }
}
