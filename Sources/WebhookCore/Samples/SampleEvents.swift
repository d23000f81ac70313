/// Built-in sample bodies for every documented event type, for `kyc-webhooks send EVENT`.
///
/// The bodies are the fixture files (fake data from the vendors' documentation), byte for byte, ready to be
/// signed and posted: Gu1 bodies to a Gu1 route, ARGOS bodies (plaintext) to an ARGOS route. Types without a
/// documented example are derived from their family's (`transaction.updated` from `transaction.created`).
public enum SampleEvents {
    /// Every event type that has a sample, Gu1 first, then ARGOS.
    public static var allTypes: [String] { samples.map(\.type) }

    /// The sample body of `type`, or nil when there is none.
    public static func body(for type: String) -> [UInt8]? {
        samples.first { $0.type == type }.map { Array($0.body.utf8) }
    }

    /// The sender that posts `type`: `argos` for `argos.*`, else `gu1`.
    public static func sender(ofType type: String) -> String {
        type.hasPrefix("argos.") ? "argos" : "gu1"
    }

    /// The event `source` a body of `type` decodes to (`argos`, `gu1.<family>`).
    public static func source(ofType type: String) -> String {
        if type.hasPrefix("argos.") { return "argos" }
        let family = type.firstIndex(of: ".").map { type[..<$0] } ?? type[...]
        return "gu1." + family
    }

    /// The outcome a body of `type` decodes to.
    public static func outcome(ofType type: String) -> Outcome {
        if type.hasPrefix("argos.") { return Outcome(argosTrigger: String(type.dropFirst(6))) }
        return Outcome(gu1EventName: type)
    }
}
