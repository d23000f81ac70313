import Foundation

extension Configuration {
    /// The file used when there is no `--config`, if it exists in the current directory (docs/reference.md §2).
    public static let defaultFileName = "config.json"

    /// Largest configuration file read (a real one is a few KiB; anything bigger is the wrong file).
    static let maximumFileBytes = 1 << 20

    /// Loads the configuration in docs/reference.md §2's order: the `--config` file when given, else `./config.json` when
    /// it exists, else the built-in defaults.
    ///
    /// - Parameters:
    ///   - path: the `--config` argument, or nil. Relative paths start from `currentDirectory`.
    ///   - environment: the process environment, for secrets.
    ///   - currentDirectory: the directory `config.json` and relative paths are looked up in.
    /// - Returns: the source, the configuration (nil on any error), every problem and every warning. A file
    ///   that does not exist, cannot be read or is not JSON is a problem with an empty path.
    public static func load(
        path: String?,
        environment: [String: String],
        currentDirectory: String
    ) -> ConfigurationLoadResult {
        let result: ConfigurationLoadResult
        if let path {
            result = load(file: path, environment: environment, currentDirectory: currentDirectory)
        } else if FileManager.default.fileExists(
            atPath: absolutePath(defaultFileName, currentDirectory: currentDirectory)
        ) {
            result = load(file: defaultFileName, environment: environment, currentDirectory: currentDirectory)
        } else {
            result = builtInDefaults(environment: environment)
        }
        return result
    }

    /// Loads one configuration file.
    ///
    /// - Parameters:
    ///   - file: its path, as given (relative paths start from `currentDirectory`).
    ///   - environment: the process environment, for secrets.
    ///   - currentDirectory: the directory relative paths start from.
    /// - Returns: the load result with source `.file(file)`.
    public static func load(
        file: String,
        environment: [String: String],
        currentDirectory: String
    ) -> ConfigurationLoadResult {
        func failure(_ message: String) -> ConfigurationLoadResult {
            ConfigurationLoadResult(
                source: .file(file),
                configuration: nil,
                problems: [ConfigurationProblem(severity: .error, path: "", message: message)],
                warnings: []
            )
        }
        let fullPath = absolutePath(file, currentDirectory: currentDirectory)
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: fullPath, isDirectory: &isDirectory) else {
            return failure(
                "configuration file \(file) does not exist: check the --config path, or create it from config.example.json"
            )
        }
        guard !isDirectory.boolValue else {
            return failure("configuration file \(file) is a directory: name the JSON file itself")
        }
        guard manager.isReadableFile(atPath: fullPath), let data = manager.contents(atPath: fullPath) else {
            return failure("configuration file \(file) cannot be read by this user: fix its owner or permissions")
        }
        guard data.count <= maximumFileBytes else {
            return failure("configuration file \(file) is larger than 1 MiB: name the configuration file itself")
        }
        return parse(
            json: [UInt8](data),
            environment: environment,
            currentDirectory: currentDirectory,
            source: .file(file)
        )
    }
}
