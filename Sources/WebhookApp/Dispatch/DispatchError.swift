/// Why the dispatcher refused to start or failed a delivery without running its handler.
public struct DispatchError: Error, Sendable, Equatable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case alreadyStarted
        case duplicateHandlerName(String)
        case invalidConcurrency(String)
        case unknownHandler(String)
    }

    private let code: Code

    private init(_ code: Code) { self.code = code }

    /// `run()` was called a second time.
    public static let alreadyStarted = DispatchError(.alreadyStarted)

    /// Two registrations share a handler name.
    public static func duplicateHandlerName(_ name: String) -> DispatchError {
        DispatchError(.duplicateHandlerName(name))
    }

    /// A registration allows fewer than one concurrent delivery.
    public static func invalidConcurrency(handler: String) -> DispatchError {
        DispatchError(.invalidConcurrency(handler))
    }

    /// The store handed out a delivery for a handler this dispatcher does not have.
    public static func unknownHandler(_ name: String) -> DispatchError {
        DispatchError(.unknownHandler(name))
    }

    public var description: String {
        switch code {
        case .alreadyStarted:
            return "dispatcher: run() was called more than once"
        case .duplicateHandlerName(let name):
            return "dispatcher: two handlers are named \"\(name)\"; handler names must be unique"
        case .invalidConcurrency(let name):
            return "dispatcher: handler \"\(name)\" must allow at least one concurrent delivery"
        case .unknownHandler(let name):
            return "dispatcher: no handler named \"\(name)\" is configured"
        }
    }
}
