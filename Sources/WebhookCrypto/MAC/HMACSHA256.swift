internal import COpenSSL

/// HMAC-SHA256 through OpenSSL's one-shot `HMAC()`.
///
/// The one-shot `HMAC(md, …)` is not deprecated in OpenSSL 3, unlike the `HMAC_CTX` calls
/// (CONTRIBUTING.md rule 33). The key is passed to OpenSSL in place, never copied by this type; the MAC is written
/// straight into the result array, so a call allocates only that array.
public enum HMACSHA256 {
    /// The MAC length in bytes.
    public static let byteCount = 32

    /// The 32-byte MAC of `message` under `key`.
    ///
    /// - Parameters:
    ///   - message: The bytes to authenticate.
    ///   - key: The secret key, of any length (RFC 2104 hashes keys longer than 64 bytes).
    /// - Returns: The 32-byte MAC.
    public static func authenticationCode(for message: UnsafeRawBufferPointer, key: [UInt8]) -> [UInt8] {
        key.withUnsafeBytes { keyBuffer in
            computeMAC(message: message, key: keyBuffer)
        }
    }

    /// The 32-byte MAC of `message` under `key`.
    ///
    /// - Parameters:
    ///   - message: The bytes to authenticate (an array, a slice, `Data`, a `String.UTF8View`…).
    ///   - key: The secret key, of any length.
    /// - Returns: The 32-byte MAC.
    public static func authenticationCode(for message: some Collection<UInt8>, key: [UInt8]) -> [UInt8] {
        Bytes.withContiguousBytes(message) { messageBuffer in
            authenticationCode(for: messageBuffer, key: key)
        }
    }

    /// Whether `mac` is the MAC of `message` under `key`, compared in constant time.
    ///
    /// A `mac` of the wrong length is refused before any comparison; the computed MAC is zeroed afterwards.
    ///
    /// - Parameters:
    ///   - mac: The MAC to check (32 bytes, decoded from the sender's header).
    ///   - message: The authenticated bytes.
    ///   - key: The secret key.
    /// - Returns: `true` only when `mac` equals the MAC of `message` under `key`.
    public static func isValid(_ mac: [UInt8], for message: UnsafeRawBufferPointer, key: [UInt8]) -> Bool {
        guard mac.count == byteCount else { return false }
        var expected = authenticationCode(for: message, key: key)
        defer { Bytes.cleanse(&expected) }
        return constantTimeEquals(expected, mac)
    }

    /// Whether `mac` is the MAC of `message` under `key`, compared in constant time.
    ///
    /// - Parameters:
    ///   - mac: The MAC to check.
    ///   - message: The authenticated bytes (an array, a slice, `Data`…).
    ///   - key: The secret key.
    /// - Returns: `true` only when `mac` equals the MAC of `message` under `key`.
    public static func isValid(_ mac: [UInt8], for message: some Collection<UInt8>, key: [UInt8]) -> Bool {
        Bytes.withContiguousBytes(message) { messageBuffer in
            isValid(mac, for: messageBuffer, key: key)
        }
    }

    // MARK: - OpenSSL

    private static func computeMAC(message: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer) -> [UInt8] {
        guard let keyLength = Int32(exactly: key.count) else {
            preconditionFailure("HMAC-SHA256: key longer than Int32.max bytes")
        }
        return [UInt8](unsafeUninitializedCapacity: byteCount) { output, initializedCount in
            var macLength: UInt32 = 0
            // Empty key or message: pass a valid pointer with length 0; OpenSSL 3 refuses some NULL inputs.
            let result = Bytes.withNonNilBase(key) { keyBase, _ in
                Bytes.withNonNilBase(message) { messageBase, messageLength in
                    HMAC(
                        FetchedAlgorithm.sha256.pointer,
                        keyBase,
                        keyLength,
                        messageBase.assumingMemoryBound(to: UInt8.self),
                        messageLength,
                        output.baseAddress,
                        &macLength
                    )
                }
            }
            // HMAC fails only when OpenSSL cannot allocate or fetch SHA-256: an impossible state, not bad input.
            guard result != nil, macLength == UInt32(byteCount) else {
                fatalError("OpenSSL HMAC(SHA256) failed")
            }
            initializedCount = byteCount
        }
    }
}
