public import Foundation
import Glibc
import SystemSupport

/// Runs a program to completion for a test: `kyc-webhooks` commands, `curl`, `openssl`, `sqlite3`, `python3`.
public enum ChildProcess {
    /// What a finished program left behind.
    public struct Output: Sendable {
        public var status: Int32
        /// Standard output as the program wrote it (openssl writes binary digests and ciphertexts).
        public var standardOutputBytes: [UInt8]
        public var standardError: String

        /// Standard output as UTF-8 text.
        public var standardOutput: String { String(decoding: standardOutputBytes, as: UTF8.self) }
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
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let input = try PipeDescriptors()
        let out = try PipeDescriptors()
        let err = try PipeDescriptors()
        let child: SpawnedProcess
        do {
            child = try SpawnedProcess(
                arguments: [executable.path] + arguments,
                environment: merged.map { "\($0.key)=\($0.value)" },
                directory: directory?.path,
                standardInput: .descriptor(input.readEnd),
                standardOutput: .descriptor(out.writeEnd),
                standardError: .descriptor(err.writeEnd)
            )
        } catch {
            for fd in [input.readEnd, input.writeEnd, out.readEnd, out.writeEnd, err.readEnd, err.writeEnd] {
                close(fd)
            }
            throw error
        }
        close(input.readEnd)
        close(out.writeEnd)
        close(err.writeEnd)
        // Both pipes are read on threads of their own, so that neither can fill up and stall the child while
        // its input is written.
        let output = OutputBuffer()
        let errors = OutputBuffer()
        output.startReading(descriptor: out.readEnd)
        errors.startReading(descriptor: err.readEnd)
        if let standardInput {
            // EPIPE: the program exited without reading all of its input, which its status then tells.
            try? DescriptorIO.writeAll(standardInput, to: input.writeEnd)
        }
        close(input.writeEnd)
        let status = child.wait()!
        output.waitForEndOfFile()
        errors.waitForEndOfFile()
        return Output(
            status: SpawnedProcess.exitCode(ofWaitStatus: status),
            standardOutputBytes: output.bytes,
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
