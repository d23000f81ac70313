/// The address a request really came from, believing `X-Forwarded-For` only from trusted proxies.
enum ClientAddress {
    /// Walks the hops from the nearest: while the current hop is a trusted proxy, the address it forwarded
    /// for (the rightmost remaining `X-Forwarded-For` entry) becomes the current hop.
    ///
    /// - Parameters:
    ///   - peer: the TCP peer's address.
    ///   - forwardedFor: every `X-Forwarded-For` field value, in order.
    ///   - isTrustedProxy: whether an address is one of `trustedProxies`.
    /// - Returns: the first untrusted hop; a malformed entry stops the walk at the hop that sent it.
    static func resolve(peer: String, forwardedFor: [String], isTrustedProxy: (String) -> Bool) -> String {
        guard !forwardedFor.isEmpty, isTrustedProxy(peer) else { return peer }
        var hops: [Substring] = []
        for value in forwardedFor {
            for entry in value.split(separator: ",", omittingEmptySubsequences: false) {
                hops.append(entry.trimmingSpaces())
            }
        }
        var current = peer
        while isTrustedProxy(current), let next = hops.popLast() {
            guard isPlausibleAddress(next) else { return current }
            current = String(next)
        }
        return current
    }

    /// Only hex digits, dots and colons: enough to refuse garbage and ports without a full parser.
    private static func isPlausibleAddress(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 45 else { return false }
        return text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) || (byte >= 0x41 && byte <= 0x46)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")
        }
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }
}
