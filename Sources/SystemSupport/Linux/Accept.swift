internal import CLinux
import Glibc

/// Accepts one connection on the listening socket `descriptor` with `accept4`, which sets the new socket's
/// flags atomically with the accept (no other thread's child can inherit it before `SOCK_CLOEXEC` is set).
///
/// - Parameters:
///   - descriptor: a listening socket.
///   - flags: for the new socket, `SOCK_NONBLOCK | SOCK_CLOEXEC` for the event loops.
///   - peerAddress: receives the peer's address: the bytes of a `sockaddr_storage` (a raw buffer, so that no
///     C type appears in the signature).
/// - Returns: the connection's descriptor, or `.wouldBlock` when none is waiting.
/// - Throws: ``SystemError`` (`EMFILE` when out of descriptors, say).
package func acceptConnection(
    on descriptor: Int32,
    flags: Int32,
    peerAddress: UnsafeMutableRawBufferPointer
) throws(SystemError) -> SyscallResult<Int32> {
    var length = socklen_t(peerAddress.count)
    let address = peerAddress.baseAddress?.assumingMemoryBound(to: sockaddr.self)
    return try syscall("accept4") { CLinux_accept4(descriptor, address, &length, flags) }
}
