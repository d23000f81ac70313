import WebhookCore

// A `file` handler's settings (docs/reference.md §6): `path`.

extension FileEventHandler {
    /// The keys of a `file` handler besides the common ones.
    static let configurationKeys = ["path"]

    /// Reads a `file` handler's settings; nil when they are wrong (reported).
    init?(_ members: [String: JSONValue], at path: JSONPath, reader: inout ConfigurationReader) {
        guard let value = members["path"] else {
            reader.error(
                path.appending("path"),
                "is missing: add the file events are appended to, like \"path\": \"data/events.jsonl\""
            )
            return nil
        }
        guard
            let file = reader.nonEmptyString(value, at: path.appending("path"), what: "the file events are appended to")
        else { return nil }
        self.init(path: file)
    }
}
