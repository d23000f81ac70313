internal import CLinux
import Glibc

/// Owns one epoll instance and its event buffer. Confined to the event loop that created it.
package final class Epoll {
    /// The interest flags the event loop uses.
    package struct Interest: OptionSet {
        package let rawValue: UInt32

        package init(rawValue: UInt32) {
            self.rawValue = rawValue
        }

        package static let readable = Interest(rawValue: EPOLLIN.rawValue)
        package static let writable = Interest(rawValue: EPOLLOUT.rawValue)
        package static let peerHalfClosed = Interest(rawValue: EPOLLRDHUP.rawValue)
        package static let edgeTriggered = Interest(rawValue: EPOLLET.rawValue)
        /// Wake one of the epoll sets waiting on this descriptor, not all (a listener shared by the loops).
        package static let exclusive = Interest(rawValue: EPOLLEXCLUSIVE.rawValue)
    }

    /// One ready descriptor, as `epoll_wait` reported it.
    package struct Event {
        /// The 64-bit tag given to ``add(_:interest:tag:)``.
        package var tag: UInt64
        package var isReadable: Bool
        package var isWritable: Bool
        /// The peer hung up or the socket has an error.
        package var isHangUpOrError: Bool
    }

    private var descriptor: Int32
    private let events: UnsafeMutablePointer<epoll_event>
    private let capacity: Int

    package init(capacity: Int = 256) throws(SystemError) {
        self.descriptor = try syscallValue("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        self.capacity = capacity
        self.events = .allocate(capacity: capacity)
    }

    deinit {
        assert(descriptor == -1, "epoll instance was not closed before deinit")
        events.deallocate()
    }

    /// Registers `fd` with a tag returned in its events.
    package func add(_ fd: Int32, interest: Interest, tag: UInt64) throws(SystemError) {
        var event = epoll_event()
        event.events = interest.rawValue
        event.data.u64 = tag
        let epfd = descriptor
        _ = try syscallValue("epoll_ctl(ADD)") { epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event) }
    }

    /// Removes `fd` (closing an fd removes it too; this is for a descriptor that stays open).
    package func remove(_ fd: Int32) {
        var event = epoll_event()
        let epfd = descriptor
        // ENOENT (not registered, say while accepting is paused) changes nothing.
        _ = try? syscall("epoll_ctl(DEL)") { epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &event) }
    }

    /// Waits for events up to `timeoutMilliseconds` (-1: forever) and calls `body` for each.
    package func wait(timeoutMilliseconds: Int32, _ body: (Event) -> Void) throws(SystemError) {
        let epfd = descriptor
        let events = self.events
        let capacity = Int32(self.capacity)
        let count: Int32
        switch try syscall("epoll_wait", { epoll_wait(epfd, events, capacity, timeoutMilliseconds) }) {
        case .wouldBlock:
            count = 0
        case .value(let value):
            count = value
        }
        let hangUp = EPOLLHUP.rawValue | EPOLLERR.rawValue
        for index in 0..<Int(count) {
            let raw = events[index]
            let flags = raw.events
            body(
                Event(
                    tag: raw.data.u64,
                    isReadable: flags & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue) != 0,
                    isWritable: flags & EPOLLOUT.rawValue != 0,
                    isHangUpOrError: flags & hangUp != 0
                )
            )
        }
    }

    package func close() {
        guard descriptor >= 0 else { return }
        _ = Glibc.close(descriptor)
        descriptor = -1
    }
}
