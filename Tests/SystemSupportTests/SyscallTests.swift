import Glibc
import Synchronization
import SystemSupport
import Testing

/// Signals delivered to the test's handler (a C signal handler cannot capture context).
private let handledSignals = Atomic<Int>(0)

/// Serialized: two tests install a SIGUSR2 handler, process-wide, and one restoring the default while the other
/// still signals its reader would end the test process.
@Suite(.serialized) struct SyscallTests {
    /// Installs a SIGUSR2 handler without SA_RESTART (so the kernel does not restart an interrupted call
    /// itself: it fails with EINTR) and returns the action it replaced.
    static func installInterruptingHandler() -> sigaction {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in handledSignals.add(1, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        var previous = sigaction()
        #expect(sigaction(SIGUSR2, &action, &previous) == 0)
        return previous
    }

    /// Lets SIGUSR2 reach the calling thread: a thread inherits its creator's signal mask, and the pool's
    /// threads block most signals.
    static func unblockInterruptingSignal() {
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        sigaddset(&unblocked, SIGUSR2)
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
    }

    /// A signal that interrupts a blocking `read` makes it fail with `EINTR`; the helper calls it again, and
    /// the byte written afterwards is what the call returns.
    @Test func retriesAReadInterruptedByASignal() throws {
        var previous = Self.installInterruptingHandler()
        defer { sigaction(SIGUSR2, &previous, nil) }

        let pipe = try PipeDescriptors()
        defer {
            close(pipe.readEnd)
            close(pipe.writeEnd)
        }
        struct Reader: Sendable {
            var thread: OSThread.ID?
            var attempts = 0
            var result: Result<Int, SystemError>?
            var byte: UInt8 = 0
        }
        let reader = ConditionLock(Reader())
        let readEnd = pipe.readEnd
        OSThread.start(name: "test-eintr") {
            Self.unblockInterruptingSignal()
            reader.withLock { $0.thread = OSThread.currentID }
            var byte: UInt8 = 0
            let result = Result { () throws(SystemError) -> Int in
                try syscallValue("read") {
                    reader.withLock { $0.attempts += 1 }
                    return read(readEnd, &byte, 1)
                }
            }
            reader.withLock {
                $0.result = result
                $0.byte = byte
            }
        }
        let thread = try #require(reader.wait(until: { $0.thread != nil }, then: { $0.thread }))
        // Interrupt until the read has been called again at least once (it may not be blocked yet at first).
        var signalsSent = 0
        while !reader.wait(until: { $0.attempts >= 2 }, timeout: .milliseconds(20)), signalsSent < 500 {
            pthread_kill(pthread_t(thread.rawValue), SIGUSR2)
            signalsSent += 1
        }
        var byte: UInt8 = 42
        #expect(write(pipe.writeEnd, &byte, 1) == 1)
        #expect(reader.wait(until: { $0.result != nil }, timeout: .seconds(10)))
        let outcome = reader.withLock { $0 }
        #expect(outcome.attempts >= 2)
        #expect(handledSignals.load(ordering: .relaxed) >= 1)
        #expect(try outcome.result?.get() == 1)
        #expect(outcome.byte == 42)
    }

    /// `DescriptorIO.readToEnd` (what the test kit reads children's pipes with, instead of Foundation's
    /// `readDataToEndOfFile`, which traps on `EINTR`) keeps reading through interruptions and returns every
    /// byte written before end of file.
    @Test func readToEndSurvivesInterruptions() throws {
        var previous = Self.installInterruptingHandler()
        defer { sigaction(SIGUSR2, &previous, nil) }

        let pipe = try PipeDescriptors()
        defer { close(pipe.readEnd) }
        struct Reader: Sendable {
            var thread: OSThread.ID?
            var result: Result<[UInt8], SystemError>?
        }
        let reader = ConditionLock(Reader())
        let readEnd = pipe.readEnd
        OSThread.start(name: "test-eintr-all") {
            Self.unblockInterruptingSignal()
            reader.withLock { $0.thread = OSThread.currentID }
            let result = Result { () throws(SystemError) in try DescriptorIO.readToEnd(readEnd) }
            reader.withLock { $0.result = result }
        }
        let thread = try #require(reader.wait(until: { $0.thread != nil }, then: { $0.thread }))
        let before = handledSignals.load(ordering: .relaxed)
        var written: [UInt8] = []
        for round in 0..<20 {
            // A signal while the reader blocks, then a chunk: each read is interrupted at least once in turn.
            pthread_kill(pthread_t(thread.rawValue), SIGUSR2)
            usleep(2000)
            let chunk = [UInt8](repeating: UInt8(round), count: 1000 + round)
            try DescriptorIO.writeAll(chunk, to: pipe.writeEnd)
            written += chunk
        }
        close(pipe.writeEnd)
        #expect(reader.wait(until: { $0.result != nil }, timeout: .seconds(10)))
        #expect(handledSignals.load(ordering: .relaxed) - before >= 1)
        #expect(try reader.withLock { $0.result }?.get() == written)
    }

    @Test func reportsWouldBlockForAnEmptyNonBlockingPipe() throws {
        let pipe = try PipeDescriptors()
        defer {
            close(pipe.readEnd)
            close(pipe.writeEnd)
        }
        _ = fcntl(pipe.readEnd, F_SETFL, O_NONBLOCK)
        var byte: UInt8 = 0
        let readEnd = pipe.readEnd
        guard case .wouldBlock = try syscall("read", { read(readEnd, &byte, 1) }) else {
            Issue.record("expected .wouldBlock")
            return
        }
        #expect(throws: SystemError(errno: EAGAIN, operation: "read")) {
            try syscallValue("read") { read(readEnd, &byte, 1) }
        }
    }

    /// Any other errno becomes a ``SystemError`` naming the operation, with the OS's message.
    @Test func throwsTheErrnoAsATypedError() {
        var byte: UInt8 = 0
        do {
            _ = try syscallValue("read(closed)") { read(-1, &byte, 1) }
            Issue.record("expected a SystemError")
        } catch {
            #expect(error.errno == EBADF)
            #expect(error.description == "read(closed): Bad file descriptor (errno: 9)")
        }
    }

    /// Both ends of the pipe are close-on-exec from the start (`pipe2(O_CLOEXEC)`), so no child spawned by
    /// another thread inherits them.
    @Test func pipeDescriptorsAreCloseOnExec() throws {
        let pipe = try PipeDescriptors()
        defer {
            close(pipe.readEnd)
            close(pipe.writeEnd)
        }
        #expect(pipe.readEnd >= 0 && pipe.writeEnd >= 0 && pipe.readEnd != pipe.writeEnd)
        for fd in [pipe.readEnd, pipe.writeEnd] {
            #expect(fcntl(fd, F_GETFD) & FD_CLOEXEC != 0)
        }
        var byte: UInt8 = 7
        #expect(write(pipe.writeEnd, &byte, 1) == 1)
        byte = 0
        #expect(read(pipe.readEnd, &byte, 1) == 1)
        #expect(byte == 7)
    }
}
