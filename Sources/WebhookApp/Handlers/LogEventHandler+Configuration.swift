import Foundation
import WebhookCore

// A `log` handler's settings (docs/reference.md §6): `stream`.

extension LogEventHandler {
    /// The standard stream a `log` handler writes to (`stream`).
    enum Stream: String, CaseIterable {
        /// Standard output (the default).
        case stdout
        /// Standard error.
        case stderr
    }

    /// The keys of a `log` handler besides the common ones.
    static let configurationKeys = ["stream"]

    /// Reads a `log` handler's settings; nil when they are wrong (reported).
    init?(_ members: [String: JSONValue], at path: JSONPath, reader: inout ConfigurationReader) {
        var stream = Stream.stdout
        if let value = members["stream"] {
            guard let named: Stream = reader.enumValue(value, at: path.appending("stream"), what: "a stream") else {
                return nil
            }
            stream = named
        }
        self.init(output: stream == .stderr ? .standardError : .standardOutput)
    }
}
