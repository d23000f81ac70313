// MARK: - Encoding

extension WebhookEvent {
    /// The event as handlers receive it (docs/reference.md §5): one line of JSON, keys in the reference's order, nulls written
    /// as `null`, `rejection` as `{code, reason, warnings}`, and `payload` embedded as the sender's object.
    ///
    /// The payload is the sender's bytes with only the whitespace between tokens removed, so the line never
    /// breaks (JSON Lines files) and every value in it is exactly as received.
    public func jsonBytes() -> [UInt8] {
        var writer = JSONWriter(capacity: 512 + payload.bytes.count)
        writer.appendRaw("{\"key\":")
        writer.appendString(key)
        writer.appendRaw(",\"source\":")
        writer.appendString(source)
        writer.appendRaw(",\"type\":")
        writer.appendString(type)
        writer.appendRaw(",\"outcome\":")
        writer.appendString(outcome.rawValue)
        writer.appendRaw(",\"subjectId\":")
        writer.appendString(subjectId)
        writer.appendRaw(",\"entityId\":")
        writer.appendString(entityId)
        writer.appendRaw(",\"externalId\":")
        writer.appendString(externalId)
        writer.appendRaw(",\"organizationId\":")
        writer.appendString(organizationId)
        writer.appendRaw(",\"status\":")
        writer.appendString(status)
        writer.appendRaw(",\"occurredAt\":")
        writer.appendString(occurredAt)
        writer.appendRaw(",\"receivedAt\":")
        writer.appendString(receivedAt)
        writer.appendRaw(",\"deliveryId\":")
        writer.appendString(deliveryId)
        writer.appendRaw(",\"route\":")
        writer.appendString(route)
        writer.appendRaw(",\"rejection\":")
        if let rejection {
            writer.appendRaw("{\"code\":")
            writer.appendString(rejection.code)
            writer.appendRaw(",\"reason\":")
            writer.appendString(rejection.reason)
            writer.appendRaw(",\"warnings\":[")
            for (index, warning) in rejection.warnings.enumerated() {
                if index > 0 { writer.append(UInt8(ascii: ",")) }
                writer.appendString(warning)
            }
            writer.appendRaw("]}")
        } else {
            writer.appendRaw("null")
        }
        writer.appendRaw(stale ? ",\"stale\":true" : ",\"stale\":false")
        writer.appendRaw(",\"payload\":")
        if payload.bytes.isEmpty {
            writer.appendRaw("null")
        } else {
            writer.appendMinified(payload.bytes)
        }
        writer.append(UInt8(ascii: "}"))
        return writer.bytes
    }
}

// MARK: - Decoding

extension WebhookEvent {
    /// Rebuilds an event from its ``jsonBytes()`` (the dispatcher reads events back from the store this way).
    ///
    /// - Parameter json: One event object as written by ``jsonBytes()``.
    /// - Throws: ``DecodeError`` naming the missing or mistyped field.
    public init(json: [UInt8]) throws(DecodeError) {
        let reader = try DecodeReader(body: json)
        let root = reader.root
        guard reader.document.kind(of: root) == .object else { throw DecodeError("event JSON is not an object") }

        func required(_ name: StaticString) throws(DecodeError) -> String {
            guard let text = try reader.optionalString(name, of: root, field: name.description) else {
                throw DecodeError("event JSON: missing string `\(name)`")
            }
            return text
        }
        func optional(_ name: StaticString) throws(DecodeError) -> String? {
            try reader.optionalString(name, of: root, field: name.description)
        }

        let outcomeName = try required("outcome")
        guard let outcome = Outcome(rawValue: outcomeName) else {
            throw DecodeError("event JSON: `outcome` is not in the vocabulary")
        }
        var rejection: Rejection?
        if let object = try reader.optionalObject("rejection", of: root, field: "rejection") {
            var warnings: [String] = []
            if let list = try reader.member("warnings", of: object, field: "rejection.warnings") {
                warnings = reader.document.elements(of: list).compactMap { reader.document.string($0) }
            }
            rejection = Rejection(
                code: try reader.optionalString("code", of: object, field: "rejection.code"),
                reason: try reader.optionalString("reason", of: object, field: "rejection.reason"),
                warnings: warnings
            )
        }
        // Absent in events recorded before `stale` existed: those read as not stale.
        var stale = false
        if let member = try reader.member("stale", of: root, field: "stale") {
            guard let flag = reader.document.bool(member) else {
                throw DecodeError("event JSON: `stale` is not a boolean")
            }
            stale = flag
        }
        guard let payload = try reader.member("payload", of: root, field: "payload") else {
            throw DecodeError("event JSON: missing `payload`")
        }

        self.init(
            key: try required("key"),
            source: try required("source"),
            type: try required("type"),
            outcome: outcome,
            subjectId: try required("subjectId"),
            entityId: try optional("entityId"),
            externalId: try optional("externalId"),
            organizationId: try optional("organizationId"),
            status: try optional("status"),
            occurredAt: try optional("occurredAt"),
            receivedAt: try required("receivedAt"),
            deliveryId: try optional("deliveryId"),
            route: try required("route"),
            rejection: rejection,
            stale: stale,
            payload: reader.raw(payload)
        )
    }
}
