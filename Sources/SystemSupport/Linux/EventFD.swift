internal import CLinux
import Glibc

/// Owns one non-blocking eventfd: another thread wakes an event loop blocked in `epoll_wait`.
///
/// `@unchecked Sendable`: the descriptor is set in `init` and only read afterwards; `signal()` is a single
/// `write` of 8 bytes, which the kernel makes atomic. Only the owning loop calls ``drain()``; ``close()`` is
/// called from the loop's `deinit`, once no other thread holds the loop to signal it (a signal after the loop
/// has exited is harmless: nobody reads the counter).
package final class EventFD: @unchecked Sendable {
    package let descriptor: Int32
    private var isClosed = false

    package init() throws(SystemError) {
        self.descriptor = try syscallValue("eventfd") { eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC)) }
    }

    deinit {
        assert(isClosed, "eventfd was not closed before deinit")
    }

    /// Wakes the loop. A full counter (never reached in practice) already means "wake up", so EAGAIN is fine.
    package func signal() {
        var one: UInt64 = 1
        let fd = descriptor
        _ = try? syscall("write(eventfd)") { Glibc.write(fd, &one, MemoryLayout<UInt64>.size) }
    }

    /// Resets the counter after a wake-up.
    package func drain() {
        var value: UInt64 = 0
        let fd = descriptor
        _ = try? syscall("read(eventfd)") { Glibc.read(fd, &value, MemoryLayout<UInt64>.size) }
    }

    package func close() {
        guard !isClosed else { return }
        _ = Glibc.close(descriptor)
        isClosed = true
    }
}
