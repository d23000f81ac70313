/// Which metadata keys a log line may carry: defense in depth behind the rule that code never logs a secret,
/// a signature, a token or a body (CONTRIBUTING.md rule 19, docs/reference.md §7).
///
/// A key is denied when it contains, in any letter case, one of ``deniedFragments``: `secret`, `signature`,
/// `token`, `password`, `passwd`, `authorization`, `cookie`, `credential`, `apikey`, `api_key`, `private`,
/// `body` or `payload`. ``JSONLineLogHandler`` drops a denied key together with its value, and adds
/// `log.dropped_keys` (how many were dropped) so that the mistake shows without the value.
/// `webhook.key`, `request.id`, `http.route` and the like pass.
public enum LogMetadataPolicy {
    /// Lowercase ASCII fragments that deny a key containing them.
    public static let deniedFragments: [String] = [
        "secret", "signature", "token", "password", "passwd", "authorization", "cookie", "credential",
        "apikey", "api_key", "private", "body", "payload",
    ]

    /// The metadata key under which the number of dropped keys is reported.
    public static let droppedKeysKey = "log.dropped_keys"

    private static let deniedFragmentBytes: [[UInt8]] = deniedFragments.map { Array($0.utf8) }

    /// Whether a metadata key is denied (compares ASCII case-insensitively, without allocating).
    public static func isDenied(key: String) -> Bool {
        var key = key
        return key.withUTF8 { bytes in
            deniedFragmentBytes.contains { fragment in containsCaseInsensitive(bytes, fragment) }
        }
    }

    private static func containsCaseInsensitive(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) {
            var matches = true
            for offset in 0..<needle.count {
                var byte = haystack[start + offset]
                if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
                if byte != needle[offset] {
                    matches = false
                    break
                }
            }
            if matches { return true }
        }
        return false
    }
}
