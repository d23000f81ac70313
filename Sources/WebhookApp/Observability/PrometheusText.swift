/// Helpers for the Prometheus text exposition format, version 0.0.4.
///
/// The format is specified in
/// https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format: label values escape
/// backslash, double quote and line feed; `# HELP` text escapes backslash and line feed; sample values are
/// Go-parsable floats, with `+Inf`, `-Inf` and `NaN` spelled that way.
enum PrometheusText {
    /// The `Content-Type` of a scrape response in this format.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Escapes a label value for use inside double quotes.
    static func escapeLabelValue(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 0x0A })
        else { return value }
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count + 8)
        for character in value.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// Escapes `# HELP` text: backslash and line feed only (quotes stay as they are).
    static func escapeHelp(_ help: String) -> String {
        guard help.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == 0x0A }) else { return help }
        var escaped = ""
        escaped.reserveCapacity(help.utf8.count + 8)
        for character in help.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// Renders `name="value",name="value"` (without braces) for a series' labels, values escaped.
    static func labelPairs(names: [String], values: [String]) -> String {
        var pairs = ""
        for (index, name) in names.enumerated() {
            if index > 0 { pairs += "," }
            pairs += name
            pairs += "=\""
            pairs += escapeLabelValue(values[index])
            pairs += "\""
        }
        return pairs
    }

    /// Formats a sample value: integral values without a fraction (`3`, not `3.0`), others in Swift's
    /// shortest round-tripping form (`0.0005`, `1e-05`), which Go's `strconv.ParseFloat` reads back exactly.
    static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            return String(Int64(value))
        }
        return "\(value)"
    }

    /// Whether `name` is a valid metric name: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    static func isValidMetricName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isNameStart(first) || first == UInt8(ascii: ":") else { return false }
        return name.utf8.allSatisfy { isNameStart($0) || isDigit($0) || $0 == UInt8(ascii: ":") }
    }

    /// Whether `name` is a valid label name for our use: `[a-zA-Z_][a-zA-Z0-9_]*`, not reserved (`__…`),
    /// and not `le` (which histograms add themselves).
    static func isValidLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, isNameStart(first) else { return false }
        guard !name.hasPrefix("__"), name != "le" else { return false }
        return name.utf8.allSatisfy { isNameStart($0) || isDigit($0) }
    }

    private static func isNameStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_")
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
