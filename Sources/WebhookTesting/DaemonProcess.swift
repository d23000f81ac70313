public import Foundation
import SystemSupport

#if canImport(Glibc)
    import Glibc
#endif

/// Starts the real `kyc-webhooks` binary, runs `body` with it, then stops it if it still runs and reaps it,
/// whether `body` returned, threw, or left a failed expectation behind: no test can leak the process.
///
/// Starting, `body` and stopping run on a thread of their own (``Blocking/onThread(isolation:_:)``), so
/// `body` may call the blocking ``DaemonProcess`` and ``LoopbackClient`` methods directly. A test that checks
/// the way the daemon stops sends SIGTERM and checks ``DaemonProcess/waitForExit(timeout:)`` itself; a
/// daemon still running at the end gets SIGTERM, and SIGKILL if it has not exited 10 s later.
///
/// ```swift
/// try await withDaemon(arguments: ["serve", "--config", path], directory: directory) { daemon in
///     let client = try LoopbackClient(port: daemon.port)
///     ...
///     daemon.send(signal: SIGTERM)
///     #expect(daemon.waitForExit(timeout: 20) == 0)
/// }
/// ```
///
/// - Parameters: as ``DaemonProcess``'s: the command line, added environment, working directory, how long
///   to wait for the "listening on" line, a wrapper program (`prlimit`), and the package's executable to run.
/// - Returns: what `body` returns.
public func withDaemon<T>(
    arguments: [String],
    environment: [String: String] = [:],
    directory: URL,
    timeout: Double = 30,
    wrapper: [String] = [],
    executable: String = "kyc-webhooks",
    _ body: (DaemonProcess) async throws -> T
) async throws -> T {
    try await Blocking.onThread {
        let daemon = try DaemonProcess(
            arguments: arguments,
            environment: environment,
            directory: directory,
            timeout: timeout,
            wrapper: wrapper,
            executable: executable
        )
        defer { daemon.stop(graceSeconds: 10) }
        return try await body(daemon)
    }
}

/// The real `kyc-webhooks` binary started as a child process, for end-to-end, crash and nginx tests; only
/// ``withDaemon(arguments:environment:directory:timeout:wrapper:executable:_:)`` starts one.
///
/// It starts `kyc-webhooks serve --config FILE`, waits for the "listening on" line on stdout and reads the
/// port from it. Standard output and error are kept in memory so tests can scan the logs.
public final class DaemonProcess: @unchecked Sendable {
    // The output buffers and the child lock themselves; `port` is set once, in `init`.
    private let child: SpawnedProcess
    private let stdoutBuffer = OutputBuffer()
    private let stderrBuffer = OutputBuffer()
    public private(set) var port: Int = 0

    /// Where the package's executable `name` is: next to the test bundle, built by `swift build`.
    public static func executableURL(named name: String = "kyc-webhooks") throws -> URL {
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(name),
            Bundle.main.bundleURL.appendingPathComponent(name),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
                .appendingPathComponent(name),
        ]
        for url in candidates where FileManager.default.isExecutableFile(atPath: url.path) {
            return url
        }
        // Build it (a `swift test` on a clean tree may not have linked the executable yet).
        let root = repositoryRoot()
        _ = try ChildProcess.run(command: "swift", ["build", "--product", name], directory: root)
        let dir = try ChildProcess.run(command: "swift", ["build", "--show-bin-path"], directory: root)
            .standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let url = URL(fileURLWithPath: dir).appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw DaemonError("\(name) executable not found; run `swift build` first")
        }
        return url
    }

    /// The package root, from this file's path (Sources/WebhookTesting/DaemonProcess.swift).
    public static func repositoryRoot() -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// Starts the daemon and waits until it listens.
    /// - Parameters:
    ///   - arguments: the command line after the program name, e.g. `["serve", "--config", path]`.
    ///   - environment: added to this process's environment.
    ///   - directory: the working directory.
    ///   - timeout: how long to wait for the "listening on" line.
    ///   - wrapper: a program and its arguments that run the daemon (`["/usr/bin/prlimit", "--nofile=64", "--"]`);
    ///     the daemon's path and `arguments` follow them. ``processIdentifier`` is then the wrapper's, which
    ///     is the daemon's when the wrapper `exec`s it, as prlimit does.
    ///   - executable: the package's executable to run: `kyc-webhooks`, or a test-only one that prints the same
    ///     "listening on" line (`kyc-webhooks-ack-before-commit`).
    init(
        arguments: [String],
        environment: [String: String] = [:],
        directory: URL,
        timeout: Double = 30,
        wrapper: [String] = [],
        executable: String = "kyc-webhooks"
    ) throws {
        let program = [try Self.executableURL(named: executable).path] + arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        let out = try PipeDescriptors()
        let err = try PipeDescriptors()
        do {
            child = try SpawnedProcess(
                arguments: wrapper + program,
                environment: env.map { "\($0.key)=\($0.value)" },
                directory: directory.path,
                standardInput: .null,
                standardOutput: .descriptor(out.writeEnd),
                standardError: .descriptor(err.writeEnd)
            )
        } catch {
            for fd in [out.readEnd, out.writeEnd, err.readEnd, err.writeEnd] { close(fd) }
            throw error
        }
        close(out.writeEnd)
        close(err.writeEnd)
        // One thread per pipe reads until end of file, so that what the daemon wrote before it exited is all
        // here once ``waitForExit(timeout:)`` returns.
        stdoutBuffer.startReading(descriptor: out.readEnd)
        stderrBuffer.startReading(descriptor: err.readEnd)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let port = Self.listeningPort(in: standardOutput + standardError) {
                self.port = port
                return
            }
            if let code = child.exitCode {
                stdoutBuffer.waitForEndOfFile(timeout: 5)
                stderrBuffer.waitForEndOfFile(timeout: 5)
                throw DaemonError("kyc-webhooks exited with status \(code): \(standardError)")
            }
            usleep(20_000)
        }
        stop(graceSeconds: 0)
        throw DaemonError("kyc-webhooks did not report a listening port within \(timeout) s: \(standardError)")
    }

    /// Stops the process if it still runs (SIGTERM, then SIGKILL after `graceSeconds`), reaps it, and reads
    /// its output to the end.
    func stop(graceSeconds: Double) {
        if child.isRunning {
            if graceSeconds > 0 {
                send(signal: SIGTERM)
                child.wait(timeout: .milliseconds(roundingSeconds: graceSeconds))
            }
            send(signal: SIGKILL)
            child.wait()
        }
        stdoutBuffer.waitForEndOfFile(timeout: 5)
        stderrBuffer.waitForEndOfFile(timeout: 5)
    }

    /// Parses `listening on http://HOST:PORT` from the daemon's output.
    static func listeningPort(in text: String) -> Int? {
        guard let range = text.range(of: "listening on http://") else { return nil }
        let rest = text[range.upperBound...]
        guard let line = rest.split(separator: "\n").first, let colon = line.lastIndex(of: ":") else { return nil }
        let digits = line[line.index(after: colon)...].prefix { $0.isNumber }
        return Int(digits)
    }

    public var standardOutput: String { stdoutBuffer.text }

    public var standardError: String { stderrBuffer.text }

    public var isRunning: Bool { child.isRunning }

    public var processIdentifier: Int32 { child.pid }

    /// Sends `signal` (SIGTERM to drain, SIGKILL to crash), unless the daemon has exited and been reaped.
    public func send(signal: Int32) {
        child.send(signal: signal)
    }

    /// Waits for the process to exit and returns its status, or nil after `timeout` seconds. Once it has
    /// exited, its output is read to the end (for up to 5 s more, in case a child it left behind still holds
    /// the pipes), so ``standardError`` holds its last lines.
    @discardableResult
    public func waitForExit(timeout: Double = 30) -> Int32? {
        guard let status = child.wait(timeout: .milliseconds(roundingSeconds: timeout)) else { return nil }
        stdoutBuffer.waitForEndOfFile(timeout: 5)
        stderrBuffer.waitForEndOfFile(timeout: 5)
        return SpawnedProcess.exitCode(ofWaitStatus: status)
    }

    deinit {
        if child.isRunning {
            child.send(signal: SIGKILL)
            child.wait()
        }
    }
}

/// A daemon process that could not be started or did not behave.
public struct DaemonError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
