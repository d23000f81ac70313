import Glibc
import WebhookCore

/// Stores an event's JSON without a second copy of its payload when the raw body already holds it.
///
/// The receiver writes the event as `{…,"payload":<payload>}`, and for a compact Gu1 body `<payload>` is a run
/// of the raw body's bytes. Keeping both copies made every event about twice its size on disk, and the
/// write path (WAL append, then checkpoint) costs in proportion to bytes. So the store keeps the event's
/// *head* (everything before the payload) and the payload's place in the raw body; ``assemble(stored:rawBody:
/// payloadStart:payloadEnd:)`` rebuilds the exact bytes.
///
/// The split is checked rather than trusted: it is used only when the raw body contains exactly the bytes
/// that follow the head up to the final `}`, so `head + rawBody[start..<end] + "}"` equals the original JSON
/// byte for byte whatever the bodies look like. When it does not apply (ARGOS ciphertext, pretty-printed
/// JSON) the whole event JSON is stored as before.
enum StoredEventJSON {
    /// What to store for one event.
    struct Split: Equatable {
        /// The event JSON, or only its head when `payloadInRawBody` is set.
        var stored: ArraySlice<UInt8>
        /// Where the rest of the event JSON (less its closing brace) lies in the raw body.
        var payloadInRawBody: Range<Int>?
    }

    private static let payloadMember = Array(",\"payload\":".utf8)[...]
    private static let closingBrace = UInt8(ascii: "}")

    static func split(eventJSON: [UInt8], rawBody: [UInt8]) -> Split {
        let whole = Split(stored: eventJSON[...], payloadInRawBody: nil)
        guard eventJSON.last == closingBrace,
            let member = firstRange(of: payloadMember, in: eventJSON[...])
        else { return whole }
        // A JSON string cannot hold `,"payload":` unescaped, and every member before the payload is a string,
        // null or an object of strings, so the first match is the top-level member.
        let payload = eventJSON[member.upperBound..<(eventJSON.count - 1)]
        guard payload.count > 4, let found = firstRange(of: payload, in: rawBody[...]) else { return whole }
        return Split(stored: eventJSON[..<member.upperBound], payloadInRawBody: found)
    }

    private static let staleFalse = Array(",\"stale\":false".utf8)
    private static let staleTrue = Array(",\"stale\":true ".utf8)

    /// Marks an event JSON written with `"stale":false` as stale (docs/reference.md §5 "Order"), in place:
    /// `"stale":true ` has the same length (JSON allows the space), so the receiver's bytes are kept and only
    /// these change. Returns false, changing nothing, when the member is not right before the top-level
    /// `payload` member, where ``WebhookEvent/jsonBytes()`` writes it.
    static func markStale(_ eventJSON: inout [UInt8]) -> Bool {
        guard let member = firstRange(of: payloadMember, in: eventJSON[...]), member.lowerBound >= staleFalse.count
        else { return false }
        let flag = (member.lowerBound - staleFalse.count)..<member.lowerBound
        guard eventJSON[flag].elementsEqual(staleFalse) else { return false }
        eventJSON.replaceSubrange(flag, with: staleTrue)
        return true
    }

    private static let occurredAtMember = Array(",\"occurredAt\":".utf8)[...]

    /// The top-level `occurredAt` of a stored event JSON, whole or only its head (it precedes the payload), or
    /// nil when it is null or absent. For events recorded before the store kept the time in a column of its own.
    ///
    /// The first `,"occurredAt":` is the top-level member: every member before it is a string or null (a
    /// string cannot hold it unescaped), and a payload member of that name comes after it.
    static func occurredAt(in stored: [UInt8]) -> String? {
        guard let member = firstRange(of: occurredAtMember, in: stored[...]),
            member.upperBound < stored.count, stored[member.upperBound] == UInt8(ascii: "\"")
        else { return nil }
        let start = member.upperBound + 1
        guard let end = stored[start...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        return String(decoding: stored[start..<end], as: UTF8.self)
    }

    /// The top-level `externalId` and `entityId` of a stored event JSON, whole or only its head (both precede
    /// the payload). The head is closed with a null payload and read with the strict JSON reader, so escaped
    /// strings come back as the sender wrote them; nil for what is null, absent or unreadable.
    static func people(in stored: [UInt8]) -> (externalId: String?, entityId: String?) {
        var head = stored
        if let member = firstRange(of: payloadMember, in: stored[...]) {
            head = Array(stored[..<member.upperBound]) + Array("null}".utf8)
        }
        guard let event = try? WebhookEvent(json: head) else { return (nil, nil) }
        return (event.externalId, event.entityId)
    }

    /// The event JSON from what ``split(eventJSON:rawBody:)`` stored; nil when the parts do not fit together
    /// (a raw body missing or too short for the recorded range).
    static func assemble(stored: [UInt8], rawBody: [UInt8]?, payloadStart: Int64?, payloadEnd: Int64?) -> [UInt8]? {
        guard let payloadStart, let payloadEnd else { return stored }
        guard let rawBody, payloadStart >= 0, payloadStart <= payloadEnd, payloadEnd <= Int64(rawBody.count) else {
            return nil
        }
        var json = stored
        json.reserveCapacity(stored.count + Int(payloadEnd - payloadStart) + 1)
        json += rawBody[Int(payloadStart)..<Int(payloadEnd)]
        json.append(closingBrace)
        return json
    }

    /// The first place `needle` occurs in `haystack`, as indices of `haystack`'s base (memchr for the first
    /// byte, memcmp for the rest: glibc's memmem is a GNU extension the Glibc module does not export).
    private static func firstRange(of needle: ArraySlice<UInt8>, in haystack: ArraySlice<UInt8>) -> Range<Int>? {
        guard let first = needle.first, needle.count <= haystack.count else { return nil }
        let offset: Int? = haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pattern in
                guard let hayStart = hay.baseAddress, let patternStart = pattern.baseAddress else { return nil }
                let lastStart = hay.count - pattern.count
                var position = 0
                while position <= lastStart {
                    guard let hit = memchr(hayStart + position, Int32(first), lastStart - position + 1) else {
                        return nil
                    }
                    let candidate = hayStart.distance(to: UnsafeRawPointer(hit))
                    if memcmp(hit, patternStart, pattern.count) == 0 { return candidate }
                    position = candidate + 1
                }
                return nil
            }
        }
        return offset.map { (haystack.startIndex + $0)..<(haystack.startIndex + $0 + needle.count) }
    }
}
