internal import COpenSSL

/// SHA-256 through OpenSSL's `EVP_Digest`, with the implementation fetched once (``FetchedAlgorithm``).
public enum SHA256 {
    /// The digest length in bytes.
    public static let byteCount = 32

    /// The 32-byte digest of `message`.
    ///
    /// - Parameter message: The bytes to hash.
    /// - Returns: The 32-byte SHA-256 digest.
    public static func hash(_ message: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: byteCount) { output, initializedCount in
            var digestLength: UInt32 = 0
            let result = Bytes.withNonNilBase(message) { base, length in
                EVP_Digest(base, length, output.baseAddress, &digestLength, FetchedAlgorithm.sha256.pointer, nil)
            }
            // EVP_Digest fails only when OpenSSL cannot allocate a context: an impossible state, not bad input.
            guard result == 1, digestLength == UInt32(byteCount) else {
                fatalError("OpenSSL EVP_Digest(SHA256) failed")
            }
            initializedCount = byteCount
        }
    }

    /// The 32-byte digest of `message`.
    ///
    /// - Parameter message: The bytes to hash (an array, a slice, `Data`, a `String.UTF8View`…).
    /// - Returns: The 32-byte SHA-256 digest.
    public static func hash(_ message: some Collection<UInt8>) -> [UInt8] {
        Bytes.withContiguousBytes(message) { buffer in hash(buffer) }
    }
}
