public import Foundation
public import WebhookCore

/// The built-in `log` handler: one JSON line per event on standard output (docs/reference.md §6).
///
/// The line carries what identifies the event and never its payload: `handler`, `attempt`, `key`, `type`,
/// `source`, `outcome`, `subjectId`, `entityId`, `organizationId`, `status`, `occurredAt`, `receivedAt`,
/// `route`, `deliveryId` and `rejectionCode`. Left out on purpose, as personal data or possibly so:
/// - `payload` (names, birth dates, document numbers);
/// - `externalId`: the operator's own customer reference, which integrations often fill with an email address
///   or an account name; the `key` and `subjectId` (vendor UUIDs) are enough to find the event with
///   `kyc-webhooks events show`;
/// - `rejection.reason` and `rejection.warnings`: free text from the vendor that may quote the person's data.
///
/// ```json
/// {"handler":"log","attempt":1,"key":"kyc.validation_approved:550e…","type":"kyc.validation_approved",
///  "source":"gu1.kyc","outcome":"approved","subjectId":"550e…", … ,"rejectionCode":null}
/// ```
public struct LogEventHandler: WebhookHandler {
    private let output: FileHandle

    /// - Parameter output: where the lines go (standard output by default). Each line is one `write`.
    public init(output: FileHandle = .standardOutput) {
        self.output = output
    }

    /// The file descriptor the lines are written to (1 for standard output).
    public var fileDescriptor: Int32 { output.fileDescriptor }

    public func handle(_ event: WebhookEvent, context: HandlerContext) async throws {
        let line = Array(Self.line(for: event, context: context).utf8)
        let fd = output.fileDescriptor
        // A full pipe on stdout would block: the write runs on a serial I/O queue, never on the async pool.
        let failure = try await SerialIOQueue.shared(for: "fd:\(fd)").run {
            SerialIOQueue.writeAll(line, to: fd)
        }
        if let failure {
            throw HandlerError(
                .io,
                message: "log: write to fd \(fd) failed: \(HandlerError.describe(errno: failure))"
            )
        }
    }

    /// The JSON line for `event` (with its trailing newline).
    static func line(for event: WebhookEvent, context: HandlerContext) -> String {
        var line = Line()
        line.add("handler", context.handlerName)
        line.add("attempt", context.attempt)
        line.add("key", event.key)
        line.add("type", event.type)
        line.add("source", event.source)
        line.add("outcome", event.outcome.rawValue)
        line.add("subjectId", event.subjectId)
        line.add("entityId", event.entityId)
        line.add("organizationId", event.organizationId)
        line.add("status", event.status)
        line.add("occurredAt", event.occurredAt)
        line.add("receivedAt", event.receivedAt)
        line.add("route", event.route)
        line.add("deliveryId", event.deliveryId)
        line.add("rejectionCode", event.rejection?.code)
        return line.line
    }
}
