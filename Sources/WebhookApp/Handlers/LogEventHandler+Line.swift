import WebhookCore

extension LogEventHandler {
    /// A small writer of one-line JSON objects with fields in a fixed order (the `log` handler's lines).
    struct Line {
        private var text = "{"
        private var isFirst = true

        /// Adds `"name": "value"`, or `"name": null` for nil.
        mutating func add(_ name: String, _ value: String?) {
            appendName(name)
            if let value { text += JSONText.quoted(value) } else { text += "null" }
        }

        /// Adds `"name": number`.
        mutating func add(_ name: String, _ value: Int) {
            appendName(name)
            text += String(value)
        }

        /// The object with its closing brace and a newline.
        var line: String { text + "}\n" }

        private mutating func appendName(_ name: String) {
            if !isFirst { text += "," }
            isFirst = false
            text += JSONText.quoted(name) + ":"
        }
    }
}
