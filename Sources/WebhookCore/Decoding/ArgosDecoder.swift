internal import WebhookCrypto

/// Decodes an ARGOS Identity webhook body (plain JSON with `webhook_trigger`) into a ``WebhookEvent``.
///
/// Bodies sent with the vendor's encryption option are `{"data": "<base64 ciphertext>"}`: recognise them with
/// ``encryptedData(in:)``, decrypt with ``decrypt(_:key:)`` and decode the plaintext. All ten documented
/// triggers are mapped (docs/reference.md §5); an undocumented trigger decodes with outcome `unknown`.
///
/// A trigger time in none of the accepted formats (``EventTime``) reads as absent: `occurredAt` is null and
/// a repeatable trigger keys on the hash of the body.
public enum ArgosDecoder {
    /// Decodes one plaintext ARGOS body.
    ///
    /// - Parameters:
    ///   - body: The plaintext JSON (the decrypted bytes for an encrypted delivery).
    ///   - context: Route, receipt time and delivery id.
    /// - Returns: The event; its `payload` is the whole body, unchanged.
    /// - Throws: ``DecodeError`` for invalid JSON, a body that is not an object, or a missing
    ///   `webhook_trigger` or `submission_id`.
    public static func decode(body: [UInt8], context: DecodeContext) throws(DecodeError) -> WebhookEvent {
        let reader = try DecodeReader(body: body)
        let root = reader.root
        guard reader.document.kind(of: root) == .object else { throw DecodeError("body is not a JSON object") }

        guard let triggerValue = try reader.member("webhook_trigger", of: root, field: "webhook_trigger") else {
            throw DecodeError("missing `webhook_trigger`")
        }
        guard let trigger = reader.document.string(triggerValue) else {
            throw DecodeError("`webhook_trigger` is not a string")
        }
        guard !trigger.isEmpty else { throw DecodeError("`webhook_trigger` is empty") }
        guard let subjectId = try reader.optionalIdentifier("submission_id", of: root, field: "submission_id") else {
            throw DecodeError("missing `submission_id`")
        }

        let type = "argos." + trigger
        let outcome = Outcome(argosTrigger: trigger)
        let kycResult = try reader.optionalObject("kyc_result", of: root, field: "kyc_result")
        let occurredAt = try time(trigger: trigger, root: root, kycResult: kycResult, reader: reader)
            .flatMap(EventTime.normalize)
        var status = try reader.optionalString("status", of: kycResult, field: "kyc_result.status")
        if status == nil {
            status = try reader.optionalString("kyc_status", of: root, field: "kyc_status")
        }
        var rejection: Rejection?
        if outcome == .rejected {
            rejection = Rejection(
                code: try reader.optionalString("commentCode", of: kycResult, field: "kyc_result.commentCode"),
                reason: try reader.optionalString("comment", of: kycResult, field: "kyc_result.comment"),
                warnings: []
            )
        }

        return WebhookEvent(
            key: IdempotencyKey.make(type: type, subjectId: subjectId, occurredAt: occurredAt, body: body),
            source: "argos",
            type: type,
            outcome: outcome,
            subjectId: subjectId,
            entityId: nil,
            externalId: try reader.optionalIdentifier("userid", of: root, field: "userid"),
            organizationId: nil,
            status: status,
            occurredAt: occurredAt,
            receivedAt: context.receivedAt,
            deliveryId: context.deliveryId,
            route: context.route,
            rejection: rejection,
            payload: RawJSON(bytes: body)
        )
    }

    /// The trigger's own time as sent (docs/reference.md §5), before normalization.
    private static func time(
        trigger: String,
        root: JSONValue,
        kycResult: JSONValue?,
        reader: DecodeReader
    ) throws(DecodeError) -> String? {
        switch trigger {
        case "approved", "rejected":
            if let time = try reader.optionalString("updated_at", of: kycResult, field: "kyc_result.updated_at") {
                return time
            }
            return try reader.optionalString("update_at", of: kycResult, field: "kyc_result.update_at")
        case "updated":
            return try reader.optionalString("update_time", of: root, field: "update_time")
        case "delete":
            return try reader.optionalString("delete_time", of: root, field: "delete_time")
        case "injection":
            let action = try reader.optionalObject("action", of: root, field: "action")
            return try reader.optionalString("created_at", of: action, field: "action.created_at")
        case "submit", "aml":
            if let time = try reader.optionalString("created_at", of: root, field: "created_at") {
                return time
            }
            return try reader.optionalString("created_at", of: kycResult, field: "kyc_result.created_at")
        default:
            return nil
        }
    }

    // MARK: - Encrypted bodies

    /// The ciphertext of an encrypted ARGOS body: the string when `body` is a JSON object with exactly one
    /// member, `data`, whose value is a string; nil for anything else (a plaintext body, invalid JSON).
    public static func encryptedData(in body: [UInt8]) -> String? {
        guard let document = try? JSONDocument(parsing: body) else { return nil }
        let members = document.members(of: document.root)
        guard members.count == 1, members[0].name == "data" else { return nil }
        return document.string(members[0].value)
    }

    /// The AES-256 key for an ARGOS API key: SHA-256 of its UTF-8 bytes (the vendor's scheme).
    public static func decryptionKey(apiKey: String) -> [UInt8] {
        Array(apiKey.utf8).withUnsafeBytes { SHA256.hash($0) }
    }

    /// Decrypts the `data` string of an encrypted ARGOS body: strict base64, or hex as a fallback (issue #3
    /// asks for both: the vendor's guide does not name the encoding), then AES-256-ECB with PKCS#7.
    ///
    /// - Parameters:
    ///   - data: The base64 (or hex) ciphertext from ``encryptedData(in:)``.
    ///   - key: The 32-byte key from ``decryptionKey(apiKey:)``.
    /// - Returns: The plaintext bytes (not yet validated as JSON).
    /// - Throws: ``DecodeError`` when `data` is not base64 or hex, or does not decrypt (the detail names the step).
    public static func decrypt(_ data: String, key: [UInt8]) throws(DecodeError) -> [UInt8] {
        // A hex string is often valid base64 too, so each reading that decodes is tried in turn.
        let readings = [Base64.decode(data), Hex.decode(data)].compactMap { $0 }
        guard !readings.isEmpty else { throw DecodeError("`data` is neither base64 nor hex") }
        var firstError: CryptoError?
        for ciphertext in readings {
            do {
                return try AES256ECB.decrypt(ciphertext, key: key)
            } catch {
                firstError = firstError ?? error
            }
        }
        throw DecodeError("`data` does not decrypt: \(firstError?.description ?? "unknown error")")
    }
}
