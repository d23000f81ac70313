internal import CLinux
import Glibc

/// The one way the package starts a thread of its own: a named, detached pthread.
///
/// The event loops, the inbox writer and checkpointer, each `exec` run and the test kit's blocking helpers are
/// threads we own (CONTRIBUTING.md rule 24): they block in `epoll_wait`, `sqlite3_step`, `poll` or `waitpid`,
/// never on the cooperative pool. They meet async code through a checked continuation or a ``ConditionLock``.
///
/// ```swift
/// OSThread.start(name: "inbox-writer") { writer.run() }
/// ```
package enum OSThread {
    /// Identifies a running thread (`pthread_self()`), to tell whether code runs on a given thread.
    package struct ID: Hashable, Sendable {
        /// The `pthread_t` (an integer on Linux), for an `Atomic<UInt>`.
        package let rawValue: UInt

        package init(rawValue: UInt) {
            self.rawValue = rawValue
        }
    }

    /// The calling thread's ID.
    package static var currentID: ID {
        ID(rawValue: UInt(pthread_self()))
    }

    /// Starts a detached thread that runs `body`, then exits.
    ///
    /// - Parameters:
    ///   - name: what `top -H`, `ps -L` and debuggers show; the kernel keeps the first 15 bytes.
    ///   - stackSize: the stack in bytes, or nil for the default (8 MiB with the usual `ulimit -s`).
    ///   - body: the thread's work.
    package static func start(name: String, stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) {
        final class Context: Sendable {
            let name: String
            let body: @Sendable () -> Void
            init(name: String, body: @escaping @Sendable () -> Void) {
                self.name = name
                self.body = body
            }
        }
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        if let stackSize {
            pthread_attr_setstacksize(&attributes, max(stackSize, Int(PTHREAD_STACK_MIN)))
        }
        let context = Unmanaged.passRetained(Context(name: name, body: body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(
            &thread,
            &attributes,
            { raw in
                let context = Unmanaged<Context>.fromOpaque(raw!).takeRetainedValue()
                _ = CLinux_setCurrentThreadName(context.name)
                context.body()
                return nil
            },
            context
        )
        // Out of memory or past the process's thread limit: nothing sensible remains to be done (SwiftNIO and
        // Foundation's `Thread` trap too).
        precondition(result == 0, "pthread_create failed with \(result)")
    }
}
