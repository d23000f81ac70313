import WebhookCore

// The `retry` section (docs/reference.md §3, §6): `maxAttempts`, `initialDelaySeconds`, `maxDelaySeconds`.

extension RetryPolicy {
    /// The keys of `retry`.
    static let configurationKeys = ["maxAttempts", "initialDelaySeconds", "maxDelaySeconds"]

    /// Reads `retry`; every key that is absent or wrong (reported) keeps its default.
    init(_ value: JSONValue, at path: JSONPath, reader: inout ConfigurationReader) {
        self.init()
        guard let members = reader.object(value, at: path, what: "retry") else { return }
        reader.rejectUnknownKeys(members, allowed: Self.configurationKeys, at: path, context: "in retry")
        if let value = members["maxAttempts"] {
            maxAttempts = reader.integer(value, at: path.appending("maxAttempts"), in: 1...1000, fallback: maxAttempts)
        }
        if let value = members["initialDelaySeconds"] {
            let valuePath = path.appending("initialDelaySeconds")
            initialDelay = reader.duration(value, at: valuePath, maximum: 86_400, fallback: initialDelay)
        }
        if let value = members["maxDelaySeconds"] {
            maxDelay = reader.duration(
                value,
                at: path.appending("maxDelaySeconds"),
                maximum: 30 * 86_400,
                fallback: maxDelay
            )
        }
        if maxDelay < initialDelay {
            reader.error(
                path.appending("maxDelaySeconds"),
                "must be at least initialDelaySeconds: raise it or lower initialDelaySeconds"
            )
        }
    }
}
