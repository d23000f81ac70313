/// JSON text helpers for the few places that build JSON by hand (response bodies, log lines).
public enum JSONText {
    /// `value` as a JSON string literal, quotes included: `"`, `\` and every control character escaped
    /// (RFC 8259 §7), the same escaping as the event JSON handlers receive.
    public static func quoted(_ value: String) -> String {
        var writer = JSONWriter(capacity: value.utf8.count + 2)
        writer.appendString(value)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}
