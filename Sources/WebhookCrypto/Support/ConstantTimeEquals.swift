internal import COpenSSL

/// Constant-time equality of two byte strings (`CRYPTO_memcmp` after the length check).
///
/// The lengths are compared first (a length is not secret: MACs and digests have a fixed size); equal-length
/// contents are compared with `CRYPTO_memcmp`, whose time does not depend on where the first difference is.
///
/// - Parameters:
///   - a: The first byte string.
///   - b: The second byte string.
/// - Returns: `true` when both have the same length and the same bytes.
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    guard !a.isEmpty else { return true }
    return a.withUnsafeBytes { aBuffer in
        b.withUnsafeBytes { bBuffer in
            CRYPTO_memcmp(aBuffer.baseAddress, bBuffer.baseAddress, aBuffer.count) == 0
        }
    }
}
