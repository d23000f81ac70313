import WebhookCore

extension InboxDatabase {
    /// Whether `event`, not found under its key, is a redelivery of an event recorded under the previous key
    /// rule (docs/reference.md §5 `key`: keys recorded before the rule keep answering `duplicate` for their own
    /// redeliveries).
    ///
    /// The previous rule keyed most types `type:subjectId`; the current one adds a discriminator (the event's
    /// time, else a digest of its body). When a store written before holds `type:subjectId`, the event stored
    /// there is this one exactly when its discriminator, computed now from what was stored, is this event's.
    /// A distinct event (another time, another body) is new. When the stored event has no time and its body
    /// was pruned, nothing tells them apart, and the event is taken as new: a redelivery that late is far less
    /// likely than a distinct event, and a duplicate delivery is what handlers dedupe by key, while a
    /// swallowed event is lost.
    ///
    /// Costs nothing on a store created under the current rule (migration 5 recorded no event before it).
    /// Must run inside the write transaction of ``insert(_:)-(InboxRecord)``.
    func isRedeliveryUnderPreviousKeyRule(_ event: WebhookEvent, rawBody: [UInt8]) throws -> Bool {
        let lastID = try previousKeyRuleLastEventID ?? readPreviousKeyRuleLastEventID()
        guard lastID > 0,
            let previousKey = IdempotencyKey.previousRuleKey(type: event.type, subjectId: event.subjectId),
            event.key.hasPrefix(previousKey + "@"),
            let storedID = try keys.lookUp(previousKey, connection).eventID,
            storedID <= lastID
        else { return false }
        let discriminator = event.key.dropFirst(previousKey.count + 1)
        return try storedDiscriminator(eventID: storedID).map { $0[...] == discriminator } ?? false
    }

    func readPreviousKeyRuleLastEventID() throws -> Int64 {
        let id =
            try connection.statement("SELECT value FROM store_meta WHERE name = 'previous_key_rule_last_event_id'")
            .query { $0.int64(0) }.first ?? 0
        previousKeyRuleLastEventID = id
        return id
    }

    /// The discriminator the current rule gives the stored event `id`: its `occurredAt`, else the digest of the
    /// body it was decoded from (the raw body for Gu1, the decrypted body, which is its payload, for ARGOS);
    /// nil when that body is gone.
    func storedDiscriminator(eventID id: Int64) throws -> String? {
        let rows = try connection.statement(
            "SELECT e.source, \(Self.eventJSONColumns) FROM events e WHERE e.id = ?"
        ).query([.integer(id)]) { row in (row.text(0) ?? "", Self.eventJSON(row, from: 1), row.blob(2)) }
        guard let (source, eventJSON, rawBody) = rows.first, let eventJSON,
            let document = try? JSONDocument(parsing: eventJSON)
        else { return nil }
        if let occurredAt = try? document.member("occurredAt", of: document.root),
            let time = document.string(occurredAt)
        {
            return time
        }
        if source == "argos" {
            guard let payload = try? document.member("payload", of: document.root),
                document.kind(of: payload) == .object
            else { return nil }
            return IdempotencyKey.bodyDigest(document.rawBytes(of: payload))
        }
        return rawBody.map { IdempotencyKey.bodyDigest($0) }
    }
}
