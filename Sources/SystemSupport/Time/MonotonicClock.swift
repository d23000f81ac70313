import Glibc

/// The monotonic clock in nanoseconds (`CLOCK_MONOTONIC`): deadlines never move with the wall clock.
@inline(__always)
package func monotonicNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
}
