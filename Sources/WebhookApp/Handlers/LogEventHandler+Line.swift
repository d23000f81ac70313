extension LogEventHandler {
    /// A small writer of one-line JSON objects with fields in a fixed order (the `log` handler's lines).
    struct Line {
        private var text = "{"
        private var isFirst = true

        /// Adds `"name": "value"`, or `"name": null` for nil.
        mutating func add(_ name: String, _ value: String?) {
            appendName(name)
            if let value { text += Self.quoted(value) } else { text += "null" }
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
            text += Self.quoted(name) + ":"
        }

        /// `value` as a JSON string literal (RFC 8259 §7): quotes, backslashes and control characters escaped.
        static func quoted(_ value: String) -> String {
            var result = "\""
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": result += "\\\""
                case "\\": result += "\\\\"
                case "\n": result += "\\n"
                case "\r": result += "\\r"
                case "\t": result += "\\t"
                case "\u{2028}": result += "\\u2028"
                case "\u{2029}": result += "\\u2029"
                default:
                    if scalar.value < 0x20 || scalar.value == 0x7F {
                        let hex = String(scalar.value, radix: 16)
                        result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        result.unicodeScalars.append(scalar)
                    }
                }
            }
            return result + "\""
        }
    }
}
