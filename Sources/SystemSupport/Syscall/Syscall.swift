import Glibc

/// What a non-blocking system call did: a value, or "would block" (`EAGAIN`/`EWOULDBLOCK`).
package enum SyscallResult<Value> {
    case value(Value)
    case wouldBlock
}

/// Runs one system call the way every call in the package is run (CONTRIBUTING.md rule 32).
///
/// Retries on `EINTR` (a signal handler ran while the call waited), reports `EAGAIN`/`EWOULDBLOCK` as
/// ``SyscallResult/wouldBlock``, and throws ``SystemError`` with the operation's name for every other failure
/// (a return value of -1), as SwiftNIO's `syscall` helper does.
///
/// `EFAULT` (a bad pointer) is a programmer error and asserts. `EBADF` is thrown like any other error rather
/// than asserted (SwiftNIO asserts it): the helper also writes to descriptors the caller does not own, such
/// as standard error, which an operator may have closed.
///
/// ```swift
/// switch try syscall("recv") { recv(fd, buffer.baseAddress, buffer.count, 0) } {
/// case .value(let count): ...
/// case .wouldBlock: ...
/// }
/// ```
///
/// - Parameters:
///   - operation: the call's name, for the error.
///   - body: performs the call and returns its raw result; called again after `EINTR`.
/// - Returns: the call's result, or `.wouldBlock`.
/// - Throws: ``SystemError`` for any `errno` other than `EINTR` and `EAGAIN`.
@inline(__always)
package func syscall<T: FixedWidthInteger>(
    _ operation: @autoclosure () -> String,
    _ body: () -> T
) throws(SystemError) -> SyscallResult<T> {
    while true {
        let result = body()
        if result != -1 {
            return .value(result)
        }
        let code = Glibc.errno
        switch code {
        case EINTR:
            continue
        case EAGAIN, EWOULDBLOCK:
            return .wouldBlock
        default:
            assert(code != EFAULT, "\(operation()) failed with EFAULT: programmer error")
            throw SystemError(errno: code, operation: operation())
        }
    }
}

/// Runs a system call that cannot report "would block" (setsockopt, bind, epoll_ctl), or whose caller treats
/// `EAGAIN` as an error like any other: ``syscall(_:_:)``, with `.wouldBlock` thrown as `EAGAIN`.
@inline(__always)
package func syscallValue<T: FixedWidthInteger>(
    _ operation: @autoclosure () -> String,
    _ body: () -> T
) throws(SystemError) -> T {
    switch try syscall(operation(), body) {
    case .value(let value):
        return value
    case .wouldBlock:
        throw SystemError(errno: EAGAIN, operation: operation())
    }
}
