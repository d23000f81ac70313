import WebhookCore
import WebhookHTTP

// The `listen` and `limits` sections (docs/reference.md §3) are the listener's own settings: they are read into
// HTTPServerConfiguration, whose initializer holds every default, rather than into a copy of it. The
// extension lives here because WebhookHTTP does not depend on the JSON reader (docs/architecture.md).

extension HTTPServerConfiguration {
    /// The keys of `listen`.
    static let listenKeys = ["host", "port"]
    /// The keys of `limits`.
    static let limitsKeys = [
        "maxBodyBytes", "maxHeaderBytes", "maxTargetBytes", "maxFieldCount", "headerTimeoutSeconds",
        "bodyTimeoutSeconds", "idleTimeoutSeconds", "maxConnections",
    ]

    /// Reads `listen` into ``host`` and ``port``; a key that is wrong (reported) keeps its value.
    mutating func readListen(_ value: JSONValue, at path: JSONPath, reader: inout ConfigurationReader) {
        guard let members = reader.object(value, at: path, what: "listen") else { return }
        reader.rejectUnknownKeys(members, allowed: Self.listenKeys, at: path, context: "in listen")
        if let value = members["host"], let text = reader.string(value, at: path.appending("host")) {
            if text == "localhost" || IPAddress.parse(Substring(text)) != nil {
                host = text
            } else {
                reader.error(
                    path.appending("host"),
                    "must be an IPv4 or IPv6 address or localhost: use 127.0.0.1 behind a local reverse proxy,"
                        + " or 0.0.0.0 to listen on every interface"
                )
            }
        }
        if let value = members["port"] {
            port = reader.integer(value, at: path.appending("port"), in: 0...65_535, fallback: port)
        }
    }

    /// Reads `limits` into the parser limits, the timeouts and ``maxConnections``; a key that is wrong
    /// (reported) keeps its value.
    mutating func readLimits(_ value: JSONValue, at path: JSONPath, reader: inout ConfigurationReader) {
        guard let members = reader.object(value, at: path, what: "limits") else { return }
        reader.rejectUnknownKeys(members, allowed: Self.limitsKeys, at: path, context: "in limits")
        func read(_ key: String, _ range: ClosedRange<Int>, _ current: inout Int) {
            guard let value = members[key] else { return }
            current = reader.integer(value, at: path.appending(key), in: range, fallback: current)
        }
        func readSeconds(_ key: String, _ current: inout Double) {
            guard let value = members[key] else { return }
            current = reader.seconds(value, at: path.appending(key), maximum: 3600, fallback: current)
        }
        read("maxBodyBytes", 1...1_073_741_824, &parserLimits.maxBodyBytes)
        read("maxHeaderBytes", 1024...1_048_576, &parserLimits.maxHeaderBytes)
        read("maxTargetBytes", 64...1_048_576, &parserLimits.maxTargetLength)
        read("maxFieldCount", 1...10_000, &parserLimits.maxFieldCount)
        read("maxConnections", 1...1_000_000, &maxConnections)
        readSeconds("headerTimeoutSeconds", &headerTimeoutSeconds)
        readSeconds("bodyTimeoutSeconds", &bodyTimeoutSeconds)
        readSeconds("idleTimeoutSeconds", &idleTimeoutSeconds)
        if members["idleTimeoutSeconds"] != nil, idleTimeoutSeconds <= 60 {
            reader.warn(
                path.appending("idleTimeoutSeconds"),
                "is not longer than nginx's 60 s upstream keep-alive, so the proxy may reuse a connection this server"
                    + " is closing: raise it above the proxy's keep-alive timeout (default 75)"
            )
        }
    }
}
