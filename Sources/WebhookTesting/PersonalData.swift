import Foundation

extension Fixtures {
    /// Keys whose string values are personal data in the vendors' bodies: names, birth dates, document
    /// numbers, emails, phones, addresses.
    static let personalKeyFragments = [
        "name", "birth", "dob", "document", "email", "phone", "address", "street", "postal", "city",
        "nationalid", "passport", "idnumber", "ssn", "tax",
    ]

    /// Keys that contain a fragment above but are not personal (workflow names, document *types*).
    static let notPersonalKeys: Set<String> = [
        "documenttype", "documentexpiry", "documentauthenticity", "workflowname", "rulename", "filename",
    ]

    /// Every personal value (at least 4 characters) found in the fixture bodies (decrypted ones excluded:
    /// they are opaque on the wire), so tests can scan logs, metrics and error messages for them.
    public static func personalValues() throws -> Set<String> {
        var values = Set<String>()
        for fixture in try all() where !fixture.isEncrypted {
            let object = try JSONSerialization.jsonObject(with: Data(fixture.body))
            collect(object, key: nil, into: &values)
        }
        return values
    }

    private static func collect(_ value: Any, key: String?, into values: inout Set<String>) {
        switch value {
        case let object as [String: Any]:
            for (childKey, child) in object { collect(child, key: childKey, into: &values) }
        case let array as [Any]:
            for child in array { collect(child, key: key, into: &values) }
        case let text as String:
            guard let key, text.count >= 4 else { return }
            let folded = key.lowercased().replacingOccurrences(of: "_", with: "")
            guard !notPersonalKeys.contains(folded) else { return }
            if personalKeyFragments.contains(where: { folded.contains($0) }) { values.insert(text) }
        default:
            return
        }
    }
}
