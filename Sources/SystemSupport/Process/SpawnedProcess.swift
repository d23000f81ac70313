internal import CLinux
import Glibc
import Synchronization

/// A child process started with `posix_spawn`: the one way the project starts programs, in the exec handler
/// and in the test kit alike.
///
/// Not Foundation's `Process`: on Linux with this toolchain its `run()` sometimes crashes reading
/// `/proc/self/fd` (an over-read of `dirent.d_name`), and its `FileHandle` reads trap on `EINTR`. Both were
/// seen killing the test process in CI. This type spawns, reaps with `waitpid` on that pid only, and keeps the
/// wait status once the child is reaped.
package final class SpawnedProcess: Sendable {
    /// How a child's standard streams are set up.
    package enum Stream: Sendable {
        /// The parent's own descriptor of the same number.
        case inherit
        /// `/dev/null`.
        case null
        /// This descriptor, `dup2`ed into place (the caller closes its copy after the spawn).
        case descriptor(Int32)
    }

    /// The child's process id.
    package let pid: Int32
    private let state = Mutex(Reaping())

    private struct Reaping {
        var status: Int32?
        var isLost = false
    }

    /// Starts `arguments[0]` (searched on `PATH` when it has no slash) with `arguments`.
    ///
    /// - Parameters:
    ///   - arguments: the program and its arguments.
    ///   - environment: the child's whole environment, as `NAME=value` strings.
    ///   - directory: the child's working directory, or the parent's.
    ///   - standardInput, standardOutput, standardError: the child's descriptors 0, 1 and 2.
    ///   - newProcessGroup: the child leads a process group of its own (so that `kill(-pid)` ends it and what
    ///     it starts).
    ///   - defaultSignals: signals reset to their default action in the child (an ignored `SIGPIPE`, say); the
    ///     child's signal mask is always empty.
    /// - Throws: ``SystemError`` with `posix_spawn`'s error code (`ENOENT` for a missing program).
    package init(
        arguments: [String],
        environment: [String],
        directory: String? = nil,
        standardInput: Stream = .null,
        standardOutput: Stream = .inherit,
        standardError: Stream = .inherit,
        newProcessGroup: Bool = false,
        defaultSignals: [Int32] = []
    ) throws(SystemError) {
        precondition(!arguments.isEmpty, "a child needs a program")
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (number, stream) in [(Int32(0), standardInput), (1, standardOutput), (2, standardError)] {
            switch stream {
            case .inherit:
                break
            case .null:
                posix_spawn_file_actions_addopen(&actions, number, "/dev/null", number == 0 ? O_RDONLY : O_WRONLY, 0)
            case .descriptor(let descriptor):
                posix_spawn_file_actions_adddup2(&actions, descriptor, number)
            }
        }
        if let directory {
            let code = CLinux_posix_spawn_file_actions_addchdir_np(&actions, directory)
            guard code == 0 else { throw SystemError(errno: code, operation: "posix_spawn_file_actions_addchdir_np") }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if newProcessGroup {
            flags |= POSIX_SPAWN_SETPGROUP
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in defaultSignals { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid = pid_t()
        let code = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard code == 0 else { throw SystemError(errno: code, operation: "posix_spawn(\(arguments[0]))") }
        self.pid = pid
    }

    /// The wait status once the child has been reaped, reaping it now if it has exited; nil while it runs.
    ///
    /// A child reaped by somebody else (`SIGCHLD` ignored) reads as status 255 << 8, and ``isLost`` is true.
    package var waitStatus: Int32? {
        state.withLock { state in
            if let status = state.status { return status }
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, WNOHANG)
            if result == pid {
                state.status = raw
            } else if result < 0 && errno == ECHILD {
                state.status = 255 << 8
                state.isLost = true
            }
            return state.status
        }
    }

    /// Whether the child was reaped by somebody else, so that its wait status is unknown.
    package var isLost: Bool { state.withLock { $0.isLost } }

    /// Whether the child still runs (not yet reaped).
    package var isRunning: Bool { waitStatus == nil }

    /// Waits for the child to exit and returns its wait status, or nil if it still runs after `timeout`
    /// (nil: however long it takes).
    @discardableResult
    package func wait(timeout: Duration? = nil) -> Int32? {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now.advanced(by: $0) }
        var pause: UInt32 = 1000
        while true {
            if let status = waitStatus { return status }
            if let deadline, clock.now >= deadline { return nil }
            usleep(pause)
            pause = min(pause * 2, 20_000)
        }
    }

    /// The exit code (0 to 255) for a child that exited, 128 + the signal's number for one a signal ended, nil
    /// while it runs.
    package var exitCode: Int32? {
        waitStatus.map { Self.exitCode(ofWaitStatus: $0) }
    }

    /// `WEXITSTATUS`, or 128 + `WTERMSIG` for a child a signal ended (as a shell reports it).
    package static func exitCode(ofWaitStatus status: Int32) -> Int32 {
        status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    /// Sends `signal` to the child (to its group too, with `group`), unless it has been reaped.
    package func send(signal: Int32, group: Bool = false) {
        state.withLock { state in
            guard state.status == nil else { return }
            if group { _ = kill(-pid, signal) }
            _ = kill(pid, signal)
        }
    }
}
