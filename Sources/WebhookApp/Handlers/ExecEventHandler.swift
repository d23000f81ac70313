import Foundation
import Glibc
import Synchronization
import SystemSupport
public import WebhookCore

/// The built-in `exec` handler: runs `command` (no shell) with the event JSON on stdin (docs/reference.md §6).
///
/// The child gets the daemon's environment plus `WEBHOOK_KEY`, `WEBHOOK_TYPE`, `WEBHOOK_SOURCE`,
/// `WEBHOOK_OUTCOME`, `WEBHOOK_SUBJECT_ID`, `WEBHOOK_ENTITY_ID` and `WEBHOOK_EXTERNAL_ID` (the empty string
/// when the event has none). `command[0]` is looked up in `PATH` when it has no slash. Exit status 0 is success.
///
/// The child is started with `posix_spawn` in a process group of its own, so that at `timeout` (or when the
/// attempt is cancelled at shutdown) `SIGKILL` reaches the command and whatever it started. Its stdout and stderr
/// share one pipe; the last ``outputLimit`` bytes are kept and quoted in the error of a failed attempt, which
/// becomes the delivery's last error. Feeding stdin, reading the output and waiting for the exit happen on a
/// thread of their own per run, never on the async pool (CONTRIBUTING.md rule 24). The child starts with `SIGPIPE` at
/// its default action and an empty signal mask, whatever the daemon's.
public struct ExecEventHandler: WebhookHandler {
    /// The bytes of output kept for the error message.
    public static let outputLimit = 2048

    /// How long one run may take when neither the code nor the configuration (`timeoutSeconds`) says: 30 s.
    public static let defaultTimeout: Duration = .seconds(30)

    /// The program and its arguments.
    public let command: [String]
    /// How long the command may run before it is killed.
    public let timeout: Duration
    private let clock: any Clock<Duration>
    /// Environment variables the command does not inherit.
    public var withheldEnvironment: Set<String>

    /// - Parameters:
    ///   - command: the program and its arguments; no shell is involved.
    ///   - timeout: how long one run may take before its process group is killed (docs/reference.md §3 `timeoutSeconds`),
    ///     default ``defaultTimeout``.
    ///   - clock: the clock the timeout is measured on.
    ///   - withheldEnvironment: variables of the daemon's environment the command does not get (the ones the
    ///     configuration's secrets are read from, so a handler script never sees the webhook secrets).
    public init(
        command: [String],
        timeout: Duration = ExecEventHandler.defaultTimeout,
        clock: any Clock<Duration> = ContinuousClock(),
        withheldEnvironment: Set<String> = []
    ) {
        self.command = command
        self.timeout = timeout
        self.clock = clock
        self.withheldEnvironment = withheldEnvironment
    }

    public func handle(_ event: WebhookEvent, context: HandlerContext) async throws {
        guard let program = command.first, !program.isEmpty else {
            throw HandlerError(.configuration, message: "exec: the command is empty")
        }
        var environment = ProcessInfo.processInfo.environment
        for name in withheldEnvironment { environment[name] = nil }
        environment["WEBHOOK_KEY"] = event.key
        environment["WEBHOOK_TYPE"] = event.type
        environment["WEBHOOK_SOURCE"] = event.source
        environment["WEBHOOK_OUTCOME"] = event.outcome.rawValue
        environment["WEBHOOK_SUBJECT_ID"] = event.subjectId
        environment["WEBHOOK_ENTITY_ID"] = event.entityId ?? ""
        environment["WEBHOOK_EXTERNAL_ID"] = event.externalId ?? ""

        let run = ChildProcess(
            arguments: command,
            environment: environment.map { "\($0.key)=\($0.value)" },
            input: context.eventJSON,
            outputLimit: Self.outputLimit
        )
        let timeout = self.timeout
        let clock = self.clock
        let ending = await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        try await clock.sleep(for: timeout)
                        run.kill(because: .timeout)
                    } catch {} // The command ended first.
                }
                let ending = await run.run()
                group.cancelAll()
                return ending
            }
        } onCancel: {
            run.kill(because: .cancellation)
        }
        try Self.check(ending, program: program, timeout: timeout)
    }

    private static func check(
        _ ending: ChildProcess.Ending,
        program: String,
        timeout: Duration
    )
        throws
    {
        let output = ending.output.isEmpty ? "" : "; output: " + Self.printable(ending.output)
        switch ending.reason {
        case .spawnFailed(let code):
            throw HandlerError(
                .spawn,
                message: "exec: cannot start \(program): \(HandlerError.describe(errno: code))"
            )
        case .killed(.cancellation):
            throw CancellationError()
        case .killed(.timeout):
            throw HandlerError(
                .timeout,
                message:
                    "exec: \(program) was killed after the timeout of \(timeout.components.seconds) s\(output)"
            )
        case .exited(0):
            return
        case .exited(let status):
            throw HandlerError(
                .exitStatus,
                status: Int(status),
                message: "exec: \(program) exited with status \(status)\(output)"
            )
        case .signaled(let signal):
            throw HandlerError(
                .signal,
                status: Int(signal),
                message: "exec: \(program) was killed by signal \(signal)\(output)"
            )
        case .lost:
            throw HandlerError(
                .exitStatus,
                message: "exec: the exit status of \(program) was lost (is SIGCHLD ignored?)\(output)"
            )
        }
    }

    /// The output as text: invalid UTF-8 repaired, control characters other than newline and tab as `?`.
    private static func printable(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        return String(
            String.UnicodeScalarView(
                text.unicodeScalars.map { scalar in
                    (scalar.value < 0x20 && scalar != "\n" && scalar != "\t") || scalar.value == 0x7F
                        ? "?" : scalar
                }
            )
        )
        .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

// MARK: - The child process

/// One run of a command: spawned, fed and reaped on a thread of its own; killable from any thread.
///
/// The child is a ``SpawnedProcess``, which reaps and kills under one lock, so a kill never reaches a recycled
/// process id.
extension ExecEventHandler {
    final class ChildProcess: Sendable {
        enum KillReason: Sendable, Equatable {
            case timeout
            case cancellation
        }

        enum Reason: Sendable, Equatable {
            case spawnFailed(errno: Int32)
            case exited(Int32)
            case signaled(Int32)
            case killed(KillReason)
            /// The child was reaped by someone else (SIGCHLD ignored): its status is unknown.
            case lost
        }

        struct Ending: Sendable {
            var reason: Reason
            /// The last bytes of stdout and stderr.
            var output: [UInt8]
        }

        private struct State {
            var child: SpawnedProcess?
            var killReason: KillReason?
        }

        private let arguments: [String]
        private let environment: [String]
        private let input: [UInt8]
        private let outputLimit: Int
        private let state = Mutex(State())

        init(arguments: [String], environment: [String], input: [UInt8], outputLimit: Int) {
            self.arguments = arguments
            self.environment = environment
            self.input = input
            self.outputLimit = outputLimit
        }

        /// Runs the command to its end on a new thread.
        func run() async -> Ending {
            await withCheckedContinuation { (continuation: CheckedContinuation<Ending, Never>) in
                OSThread.start(name: "exec") { continuation.resume(returning: self.runOnThread()) }
            }
        }

        /// Kills the child's process group (at once, or right after it is spawned).
        func kill(because reason: KillReason) {
            state.withLock { state in
                guard state.killReason == nil else { return }
                state.killReason = reason
                // The group, and the child itself in case the group could not be set up.
                state.child?.send(signal: SIGKILL, group: true)
            }
        }

        // MARK: On the run's own thread

        private func runOnThread() -> Ending {
            // SIGPIPE stays pending on this thread (and dies with it) if the child closes stdin early:
            // `write` then fails with EPIPE instead of the signal ending the daemon.
            var blocked = sigset_t()
            sigemptyset(&blocked)
            sigaddset(&blocked, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &blocked, nil)

            // Both pipes are close-on-exec from the start (`pipe2(O_CLOEXEC)`), so a child that another run spawns
            // at the same moment inherits neither; this child gets its ends as 0, 1 and 2 through `dup2`, which
            // clears the flag on the copies. No lock around pipe creation and spawn is needed.
            let inputPipe: PipeDescriptors
            let outputPipe: PipeDescriptors
            do {
                inputPipe = try PipeDescriptors()
            } catch {
                return Ending(reason: .spawnFailed(errno: error.errno), output: [])
            }
            do {
                outputPipe = try PipeDescriptors()
            } catch {
                close(inputPipe.readEnd)
                close(inputPipe.writeEnd)
                return Ending(reason: .spawnFailed(errno: error.errno), output: [])
            }
            let result = Result { () throws(SystemError) in
                try SpawnedProcess(
                    arguments: arguments,
                    environment: environment,
                    standardInput: .descriptor(inputPipe.readEnd),
                    standardOutput: .descriptor(outputPipe.writeEnd),
                    standardError: .descriptor(outputPipe.writeEnd),
                    newProcessGroup: true,
                    defaultSignals: [SIGPIPE]
                )
            }
            close(inputPipe.readEnd)
            close(outputPipe.writeEnd)
            let child: SpawnedProcess
            switch result {
            case .success(let spawned):
                child = spawned
            case .failure(let error):
                close(inputPipe.writeEnd)
                close(outputPipe.readEnd)
                return Ending(reason: .spawnFailed(errno: error.errno), output: [])
            }
            let inputFD = inputPipe.writeEnd
            let outputFD = outputPipe.readEnd

            // A kill asked for before the child existed is carried out now.
            state.withLock { state in
                state.child = child
                if state.killReason != nil { child.send(signal: SIGKILL, group: true) }
            }

            let (waitStatus, output) = communicate(child: child, input: inputFD, output: outputFD)
            let killReason = state.withLock { $0.killReason }
            guard let status = waitStatus else { return Ending(reason: .lost, output: output) }
            let reason: Reason
            if let killReason, status & 0x7F == SIGKILL {
                reason = .killed(killReason)
            } else if status & 0x7F == 0 {
                reason = .exited((status >> 8) & 0xFF)
            } else {
                reason = .signaled(status & 0x7F)
            }
            return Ending(reason: reason, output: output)
        }

        /// Feeds `input`, collects the output's tail and reaps the child.
        ///
        /// - Returns: the wait status (nil when the child was reaped elsewhere) and the output's tail.
        private func communicate(
            child: SpawnedProcess,
            input inputFD: Int32,
            output outputFD: Int32
        ) -> (
            Int32?, [UInt8]
        ) {
            var inputFD: Int32? = inputFD
            var outputFD: Int32? = outputFD
            _ = fcntl(inputFD!, F_SETFL, O_NONBLOCK)
            _ = fcntl(outputFD!, F_SETFL, O_NONBLOCK)
            var written = 0
            var tail: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 16384)

            func closeInput() {
                if let fd = inputFD { close(fd) }
                inputFD = nil
            }
            func drainOutput() {
                while let fd = outputFD {
                    let result = try? syscall("read(exec output)") {
                        buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    }
                    // EAGAIN: nothing more for now (another error: the same, the loop polls again).
                    guard case .value(let count)? = result else { return }
                    if count == 0 {
                        close(fd)
                        outputFD = nil
                        return
                    }
                    tail.append(contentsOf: buffer[0..<count])
                    if tail.count > outputLimit { tail.removeFirst(tail.count - outputLimit) }
                }
            }
            if input.isEmpty { closeInput() }

            while true {
                var descriptors: [pollfd] = []
                if let fd = outputFD {
                    descriptors.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0))
                }
                if let fd = inputFD {
                    descriptors.append(pollfd(fd: fd, events: Int16(POLLOUT), revents: 0))
                }
                // The 20 ms cap bounds how late the child's exit is noticed (there is no portable exit fd to poll).
                _ = poll(&descriptors, nfds_t(descriptors.count), 20)

                if let fd = inputFD {
                    do {
                        let result = try syscall("write(exec input)") {
                            input.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
                        }
                        if case .value(let count) = result {
                            written += count
                            if written == input.count { closeInput() }
                        }
                    } catch {
                        closeInput() // EPIPE: the command does not read its stdin.
                    }
                }
                drainOutput()

                let status = child.waitStatus
                if let status {
                    closeInput()
                    drainOutput()
                    if let fd = outputFD { close(fd) }
                    return (child.isLost ? nil : status, tail)
                }
            }
        }
    }
}
