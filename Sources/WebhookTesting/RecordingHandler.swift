import Synchronization
public import WebhookCore

/// A handler that records every call, counts how many run at once, and then does what `behavior` says.
///
/// The test double for the dispatcher (CONTRIBUTING.md rule 38): a small real ``WebhookHandler``.
///
/// ```swift
/// let handler = RecordingHandler { _, context in
///     if context.attempt < 3 { throw TestFailure() }
/// }
/// // ... run a dispatcher with it
/// await handler.waitForCalls(count: 3)
/// ```
public final class RecordingHandler: WebhookHandler {
    /// One call of ``handle(_:context:)``.
    public struct Call: Sendable, Equatable {
        public var eventKey: String
        public var eventType: String
        public var handlerName: String
        public var attempt: Int
        public var eventJSON: [UInt8]
    }

    private struct State {
        var calls: [Call] = []
        var running = 0
        var maxRunning = 0
        var finished = 0
        var nextWaiterID = 0
        var waiters: [Int: (count: Int, continuation: CheckedContinuation<Void, Never>)] = [:]
    }

    private let behavior: @Sendable (WebhookEvent, HandlerContext) async throws -> Void
    private let state = Mutex(State())

    /// - Parameter behavior: runs after the call is recorded; throw to fail the attempt. Succeeds by default.
    public init(behavior: @escaping @Sendable (WebhookEvent, HandlerContext) async throws -> Void = { _, _ in }) {
        self.behavior = behavior
    }

    public func handle(_ event: WebhookEvent, context: HandlerContext) async throws {
        let call = Call(
            eventKey: event.key,
            eventType: event.type,
            handlerName: context.handlerName,
            attempt: context.attempt,
            eventJSON: context.eventJSON
        )
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.calls.append(call)
            state.running += 1
            state.maxRunning = max(state.maxRunning, state.running)
            let count = state.calls.count
            let ready = state.waiters.filter { $0.value.count <= count }
            for id in ready.keys { state.waiters[id] = nil }
            return ready.values.map(\.continuation)
        }
        for waiter in ready { waiter.resume() }
        defer {
            state.withLock { state in
                state.running -= 1
                state.finished += 1
            }
        }
        try await behavior(event, context)
    }

    /// Every call so far, in order.
    public var calls: [Call] { state.withLock { $0.calls } }

    /// How many calls are running now.
    public var runningCount: Int { state.withLock { $0.running } }

    /// The most calls that ran at once.
    public var maxConcurrentCalls: Int { state.withLock { $0.maxRunning } }

    /// How many calls have returned or thrown.
    public var finishedCount: Int { state.withLock { $0.finished } }

    /// Returns once at least `count` calls have started, or when the calling task is cancelled.
    public func waitForCalls(count: Int) async {
        let id = state.withLock { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let isReady = state.withLock { state -> Bool in
                    if state.calls.count >= count || Task.isCancelled { return true }
                    state.waiters[id] = (count, continuation)
                    return false
                }
                if isReady { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume()
        }
    }
}
