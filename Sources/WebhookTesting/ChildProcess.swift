public import Foundation

/// Runs a program to completion for a test: `kyc-webhooks` commands, `curl`, `openssl`, `sqlite3`, `python3`.
public enum ChildProcess {
    /// What a finished program left behind.
    public struct Output: Sendable {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
    }

    /// Runs `executable` with `arguments` and waits for it (blocking: call it from a thread, see ``Blocking``).
    ///
    /// - Parameters:
    ///   - executable: the program's path.
    ///   - arguments: its arguments.
    ///   - environment: added to this process's environment.
    ///   - standardInput: written to the program's stdin, which is then closed.
    ///   - directory: the working directory, or this process's.
    public static func run(
        _ executable: URL,
        _ arguments: [String],
        environment: [String: String] = [:],
        standardInput: [UInt8]? = nil,
        directory: URL? = nil
    ) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty {
            var merged = ProcessInfo.processInfo.environment
            for (key, value) in environment { merged[key] = value }
            process.environment = merged
        }
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let standardInput { input.fileHandleForWriting.write(Data(standardInput)) }
        try input.fileHandleForWriting.close()
        // Read stderr on another thread so neither pipe can fill up and stall the child.
        let errors = OutputBuffer()
        errors.startReading(err.fileHandleForReading)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        errors.waitForEndOfFile()
        return Output(
            status: process.terminationStatus,
            standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: errors.text
        )
    }

    /// Runs a program found on `PATH` (through `/usr/bin/env`).
    public static func run(
        command: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        standardInput: [UInt8]? = nil,
        directory: URL? = nil
    ) throws -> Output {
        try run(
            URL(fileURLWithPath: "/usr/bin/env"),
            [command] + arguments,
            environment: environment,
            standardInput: standardInput,
            directory: directory
        )
    }
}
