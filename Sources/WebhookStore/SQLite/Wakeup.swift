import Foundation

/// A sticky binary event on a condition variable: `signal` sets it, `wait` sleeps until it is set and clears it.
///
/// Sticky, so a signal sent before the waiter sleeps is not lost. `@unchecked Sendable`: `isSignalled` is
/// only read or written while `condition` is locked.
final class Wakeup: @unchecked Sendable {
    private let condition = NSCondition()
    private var isSignalled = false

    func signal() {
        condition.lock()
        isSignalled = true
        condition.signal()
        condition.unlock()
    }

    func wait() {
        condition.lock()
        while !isSignalled {
            condition.wait()
        }
        isSignalled = false
        condition.unlock()
    }
}
