// Placeholder API of WebhookCrypto, replaced by the real implementation (issue #3).
// The signatures here are the contract the other targets build against.

/// Why a crypto operation failed. Never carries key, digest or plaintext bytes.
public enum CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The ciphertext length is not a positive multiple of the block size.
    case invalidCiphertextLength
    /// Decryption produced invalid PKCS#7 padding (wrong key or corrupt data).
    case badPadding
    /// An OpenSSL call failed; `operation` names it.
    case openSSLFailure(operation: String)

    public var description: String {
        switch self {
        case .invalidCiphertextLength: return "AES-256-ECB: ciphertext length is not a multiple of 16"
        case .badPadding: return "AES-256-ECB: bad padding (wrong key or corrupt data)"
        case .openSSLFailure(let operation): return "OpenSSL: \(operation) failed"
        }
    }
}

/// HMAC-SHA256 through OpenSSL's one-shot `HMAC()`.
public enum HMACSHA256 {
    /// The 32-byte MAC of `message` under `key`.
    public static func authenticationCode(for message: UnsafeRawBufferPointer, key: [UInt8]) -> [UInt8] {
        fatalError("unimplemented")
    }

    /// Whether `mac` is the MAC of `message` under `key`, compared in constant time.
    public static func isValid(_ mac: [UInt8], for message: UnsafeRawBufferPointer, key: [UInt8]) -> Bool {
        fatalError("unimplemented")
    }
}

/// SHA-256 through OpenSSL.
public enum SHA256 {
    /// The 32-byte digest of `message`.
    public static func hash(_ message: UnsafeRawBufferPointer) -> [UInt8] {
        fatalError("unimplemented")
    }
}

/// AES-256-ECB decryption with PKCS#7 padding through EVP.
public enum AES256ECB {
    /// Decrypts `ciphertext` with the 32-byte `key`.
    /// - Throws: ``CryptoError`` for a bad length, bad padding or an OpenSSL failure.
    public static func decrypt(_ ciphertext: [UInt8], key: [UInt8]) throws(CryptoError) -> [UInt8] {
        fatalError("unimplemented")
    }
}

/// Constant-time equality of two byte strings (`CRYPTO_memcmp` after the length check).
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    fatalError("unimplemented")
}

/// Strict hexadecimal: even length, `0-9a-fA-F` only.
public enum Hex {
    /// The bytes of `text`, or nil when it is not strict hex.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? { fatalError("unimplemented") }
    /// Lowercase hex of `bytes`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String { fatalError("unimplemented") }
}

/// Strict standard base64 (RFC 4648 §4): the alphabet, correct padding, no whitespace.
public enum Base64 {
    /// The bytes of `text`, or nil when it is not strict base64.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? { fatalError("unimplemented") }
    /// Padded standard base64 of `bytes`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String { fatalError("unimplemented") }
}
