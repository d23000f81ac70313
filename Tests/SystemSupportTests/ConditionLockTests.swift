import Glibc
import SystemSupport
import Testing

@Suite struct ConditionLockTests {
    /// A thread waiting for a value wakes once another thread sets it.
    @Test func wakesAWaitingThread() {
        let flag = ConditionLock(false)
        let done = ConditionLock(false)
        OSThread.start(name: "test-waiter") {
            flag.wait(until: { $0 }, then: { $0 = false })
            done.withLock { $0 = true }
        }
        usleep(20_000)
        #expect(!done.wait(until: { $0 }, timeout: .zero))
        flag.withLock { $0 = true }
        #expect(done.wait(until: { $0 }, timeout: .seconds(10)))
        // The waiter cleared the flag with the lock still held.
        #expect(flag.withLock { $0 } == false)
    }

    /// A change made before anyone waits is not lost: the predicate sees it at once.
    @Test func aChangeBeforeTheWaitIsSeen() {
        let count = ConditionLock(0)
        count.withLock { $0 = 3 }
        let start = monotonicNanoseconds()
        #expect(count.wait(until: { $0 == 3 }, timeout: .seconds(10)))
        #expect(monotonicNanoseconds() - start < 1_000_000_000)
    }

    /// A timed wait returns false after about its timeout when nothing changes (zero and negative: at once).
    @Test func timesOut() {
        let never = ConditionLock(false)
        let start = monotonicNanoseconds()
        #expect(!never.wait(until: { $0 }, timeout: .milliseconds(100)))
        let elapsed = monotonicNanoseconds() - start
        #expect(elapsed >= 100_000_000)
        #expect(elapsed < 5_000_000_000)
        #expect(!never.wait(until: { $0 }, timeout: .zero))
        #expect(!never.wait(until: { $0 }, timeout: .seconds(-5)))
    }

    /// Many threads count down; one waiter sees zero exactly when the last one is done.
    @Test func countsDownFromManyThreads() {
        let remaining = ConditionLock(16)
        for index in 0..<16 {
            OSThread.start(name: "test-count-\(index)") {
                remaining.withLock { $0 -= 1 }
            }
        }
        #expect(remaining.wait(until: { $0 == 0 }, timeout: .seconds(10)))
    }
}

@Suite struct OSThreadTests {
    /// The thread runs with the name given (cut to the kernel's 15 bytes) and its own ID.
    @Test func startsANamedThread() {
        struct Seen: Sendable {
            var name = ""
            var id: OSThread.ID?
        }
        let seen = ConditionLock(Seen())
        OSThread.start(name: "kyc-test-thread-named-long", stackSize: 1 << 18) {
            // The kernel's name of the calling thread, with a newline.
            var buffer = [UInt8](repeating: 0, count: 32)
            let fd = open("/proc/thread-self/comm", O_RDONLY | O_CLOEXEC)
            let count = fd < 0 ? 0 : buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if fd >= 0 { close(fd) }
            let name =
                String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self)
                .split(separator: "\n").first.map(String.init) ?? ""
            seen.withLock {
                $0.name = name
                $0.id = OSThread.currentID
            }
        }
        #expect(seen.wait(until: { $0.id != nil }, timeout: .seconds(10)))
        let result = seen.withLock { $0 }
        #expect(result.name == "kyc-test-thread")
        #expect(result.id != OSThread.currentID)
    }
}
