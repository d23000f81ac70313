import Foundation

/// Runs blocking test work (sockets, `waitpid`, `usleep`) on a thread of its own, so it never holds one of
/// the few cooperative-pool threads that every other test in the process needs (STYLE rule 24, for tests).
public enum Blocking {
    /// Runs `work` on a new thread and returns its result.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try work() })
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }
}
