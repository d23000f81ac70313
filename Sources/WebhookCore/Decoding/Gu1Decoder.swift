/// Decodes a Gu1 webhook body (`{event, timestamp, organizationId?, payload}`) into a ``WebhookEvent``.
///
/// Covers `kyc.validation_*` in both payload shapes (`payload.id`, earlier `payload.validationId`),
/// `biometric.session_*` and every other family (`entity.*`, `rule.*`, `transaction.*`, `alert.*`, and
/// undocumented ones as `gu1.<family>` with whatever outcome their name says, else `unknown`).
/// Field rules are docs/reference.md §5's table. The body must be strict JSON; errors name the field, never a value.
///
/// Tolerant where refusing would lose an authentic event: optional fields of another JSON kind read as
/// absent, ids may be numbers (their text), and a `timestamp` in no ISO 8601 form reads as absent
/// (`occurredAt` null, so a repeatable type keys on the body hash). A member the decoder reads that appears
/// twice is refused rather than guessed.
public enum Gu1Decoder {
    /// Decodes one Gu1 body.
    ///
    /// - Parameters:
    ///   - body: The raw request body (the signed bytes).
    ///   - context: Route, receipt time and delivery id.
    /// - Returns: The event; its `payload` is the exact bytes of the body's `payload` object.
    /// - Throws: ``DecodeError`` for invalid JSON, a missing or non-string `event`, a missing `payload`
    ///   object, or no subject id.
    public static func decode(body: [UInt8], context: DecodeContext) throws(DecodeError) -> WebhookEvent {
        let reader = try DecodeReader(body: body)
        let root = reader.root
        guard reader.document.kind(of: root) == .object else { throw DecodeError("body is not a JSON object") }

        guard let eventValue = try reader.member("event", of: root, field: "event") else {
            throw DecodeError("missing `event`")
        }
        guard let type = reader.document.string(eventValue) else { throw DecodeError("`event` is not a string") }
        guard !type.isEmpty else { throw DecodeError("`event` is empty") }
        let family = type.utf8.firstIndex(of: UInt8(ascii: ".")).map { String(type[..<$0]) } ?? type

        guard let payload = try reader.member("payload", of: root, field: "payload") else {
            throw DecodeError("missing `payload`")
        }
        guard reader.document.kind(of: payload) == .object else { throw DecodeError("`payload` is not an object") }
        let entity = try reader.optionalObject("entity", of: payload, field: "payload.entity")

        let subjectId = try subjectId(family: family, payload: payload, entity: entity, reader: reader)
        let outcome = Outcome(gu1EventName: type)
        let occurredAt = try reader.optionalString("timestamp", of: root, field: "timestamp")
            .flatMap(EventTime.normalize)

        var externalId = try reader.optionalIdentifier("externalId", of: entity, field: "payload.entity.externalId")
        if externalId == nil, family != "kyc", family != "biometric" {
            externalId = try reader.optionalIdentifier("externalId", of: payload, field: "payload.externalId")
        }
        var entityId = try reader.optionalIdentifier("entityId", of: payload, field: "payload.entityId")
        if entityId == nil {
            entityId = try reader.optionalIdentifier("id", of: entity, field: "payload.entity.id")
        }
        var organizationId = try reader.optionalIdentifier("organizationId", of: root, field: "organizationId")
        if organizationId == nil {
            organizationId = try reader.optionalIdentifier(
                "organizationId",
                of: payload,
                field: "payload.organizationId"
            )
        }
        let rejection = outcome == .rejected ? try rejection(payload: payload, reader: reader) : nil

        return WebhookEvent(
            key: IdempotencyKey.make(type: type, subjectId: subjectId, occurredAt: occurredAt, body: body),
            source: "gu1." + family,
            type: type,
            outcome: outcome,
            subjectId: subjectId,
            entityId: entityId,
            externalId: externalId,
            organizationId: organizationId,
            status: try reader.optionalString("status", of: payload, field: "payload.status"),
            occurredAt: occurredAt,
            receivedAt: context.receivedAt,
            deliveryId: context.deliveryId,
            route: context.route,
            rejection: rejection,
            payload: reader.raw(payload)
        )
    }

    // MARK: - Fields

    /// `payload.id`, else the family's own id: `validationId` (KYC, earlier shape), `transactionId`,
    /// `evaluationId` (rules), `alertId`, `entity.id` (entity events), `<family>Id` for other families.
    private static func subjectId(
        family: String,
        payload: JSONValue,
        entity: JSONValue?,
        reader: DecodeReader
    ) throws(DecodeError) -> String {
        if let id = try reader.optionalIdentifier("id", of: payload, field: "payload.id") { return id }
        let fallback: String?
        let fallbackField: String
        switch family {
        case "kyc":
            fallbackField = "payload.validationId"
            fallback = try reader.optionalIdentifier("validationId", of: payload, field: fallbackField)
        case "biometric":
            throw DecodeError("missing `payload.id`")
        case "rule":
            fallbackField = "payload.evaluationId"
            fallback = try reader.optionalIdentifier("evaluationId", of: payload, field: fallbackField)
        case "entity":
            fallbackField = "payload.entity.id"
            fallback = try reader.optionalIdentifier("id", of: entity, field: fallbackField)
        default:
            // The family comes from the body: the detail names the rule, not the value.
            fallbackField = "payload.<family>Id"
            do {
                fallback = try reader.document.member(named: family + "Id", of: payload).flatMap { value in
                    reader.document.string(value) ?? reader.document.numberText(value)
                }
            } catch {
                throw DecodeError("duplicate member `\(fallbackField)`")
            }
        }
        guard let fallback, !fallback.isEmpty else {
            throw DecodeError("missing `payload.id` (or `\(fallbackField)`)")
        }
        return fallback
    }

    /// `rejectionCode`; `rejectionMessage`, else `rejectionReason`; `warnings` as strings (objects' `message`).
    private static func rejection(payload: JSONValue, reader: DecodeReader) throws(DecodeError) -> Rejection {
        let code = try reader.optionalString("rejectionCode", of: payload, field: "payload.rejectionCode")
        var reason = try reader.optionalString("rejectionMessage", of: payload, field: "payload.rejectionMessage")
        if reason == nil {
            reason = try reader.optionalString("rejectionReason", of: payload, field: "payload.rejectionReason")
        }
        var warnings: [String] = []
        if let list = try reader.member("warnings", of: payload, field: "payload.warnings") {
            for element in reader.document.elements(of: list) {
                if let text = reader.document.string(element) {
                    warnings.append(text)
                } else if let text = try reader.optionalString(
                    "message",
                    of: element,
                    field: "payload.warnings[].message"
                ) {
                    warnings.append(text)
                }
            }
        }
        return Rejection(code: code, reason: reason, warnings: warnings)
    }
}
