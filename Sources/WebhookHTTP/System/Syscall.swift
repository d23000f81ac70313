import Glibc

/// What a non-blocking system call did: a value, or "would block" (`EAGAIN`/`EWOULDBLOCK`).
enum SyscallResult<Value> {
    case value(Value)
    case wouldBlock
}

/// Runs one system call the way every call in this module is run (STYLE rule 32).
///
/// Retries on `EINTR`, reports `EAGAIN`/`EWOULDBLOCK` as ``SyscallResult/wouldBlock``, and throws
/// ``SystemError`` with the operation's name for every other failure (a return value of -1).
///
/// - Parameters:
///   - operation: the call's name, for the error.
///   - body: performs the call and returns its raw result.
/// - Returns: the call's result, or `.wouldBlock`.
/// - Throws: ``SystemError`` for any `errno` other than `EINTR` and `EAGAIN`.
@inline(__always)
func syscall<T: FixedWidthInteger>(
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
            // EBADF and EFAULT are programmer errors: a closed fd or a bad pointer (as SwiftNIO asserts).
            assert(code != EBADF && code != EFAULT, "\(operation()) failed with errno \(code): programmer error")
            throw SystemError(errno: code, operation: operation())
        }
    }
}

/// Runs a blocking-style system call that cannot report "would block" (setsockopt, bind, epoll_ctl).
@inline(__always)
func syscallValue<T: FixedWidthInteger>(
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

/// The monotonic clock in nanoseconds (`CLOCK_MONOTONIC`): deadlines never move with the wall clock.
@inline(__always)
func monotonicNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
}
