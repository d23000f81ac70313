import Foundation

/// A sticky binary event on a condition variable: `signal` sets it, `wait` sleeps until it is set and clears it
/// (or, with `clearing: false`, leaves it set: a latch every waiter passes).
///
/// Sticky, so a signal sent before the waiter sleeps is not lost. `@unchecked Sendable`: `isSignalled` is
/// only read or written while `condition` is locked.
final class Wakeup: @unchecked Sendable {
    private let condition = NSCondition()
    private var isSignalled = false

    func signal() {
        condition.lock()
        isSignalled = true
        condition.broadcast()
        condition.unlock()
    }

    func wait(clearing: Bool = true) {
        condition.lock()
        while !isSignalled {
            condition.wait()
        }
        if clearing { isSignalled = false }
        condition.unlock()
    }
}
