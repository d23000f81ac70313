import Foundation
import WebhookCore

/// Turns the event JSON kept with a delivery back into a ``WebhookEvent`` for the handler.
///
/// TEMPORARY: decodes the SPEC §5 fields itself until WebhookCore's `WebhookEvent(json:)` lands; then this
/// becomes a one-line call to it.
enum StoredEvent {
    static func decode(_ bytes: [UInt8]) throws -> WebhookEvent {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw DispatchError.undecodableEvent("not JSON")
        }
        guard let fields = object as? [String: Any] else { throw DispatchError.undecodableEvent("not an object") }

        func required(_ name: String) throws -> String {
            guard let value = fields[name] as? String else { throw DispatchError.undecodableEvent("missing \(name)") }
            return value
        }
        func optional(_ name: String) -> String? { fields[name] as? String }

        var rejection: Rejection?
        if let object = fields["rejection"] as? [String: Any] {
            rejection = Rejection(
                code: object["code"] as? String,
                reason: object["reason"] as? String,
                warnings: object["warnings"] as? [String] ?? []
            )
        }
        var payload = RawJSON.null
        if let value = fields["payload"], !(value is NSNull),
            let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])
        {
            payload = RawJSON(bytes: Array(data))
        }
        return WebhookEvent(
            key: try required("key"),
            source: try required("source"),
            type: try required("type"),
            outcome: Outcome(rawValue: try required("outcome")) ?? .unknown,
            subjectId: try required("subjectId"),
            entityId: optional("entityId"),
            externalId: optional("externalId"),
            organizationId: optional("organizationId"),
            status: optional("status"),
            occurredAt: optional("occurredAt"),
            receivedAt: try required("receivedAt"),
            deliveryId: optional("deliveryId"),
            route: try required("route"),
            rejection: rejection,
            payload: payload
        )
    }
}
