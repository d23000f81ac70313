/// Why a crypto operation failed.
///
/// Cases carry no key, digest, MAC or plaintext bytes, so a description is always safe to log
/// (CONTRIBUTING.md rule 19).
public enum CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The ciphertext length is not a positive multiple of the block size.
    case invalidCiphertextLength
    /// The AES-256 key is not 32 bytes long; `actual` is the length that was given.
    case invalidKeyLength(actual: Int)
    /// Decryption produced invalid PKCS#7 padding (wrong key or corrupt data).
    case badPadding
    /// An OpenSSL call failed; `operation` names it.
    case openSSLFailure(operation: String)

    public var description: String {
        switch self {
        case .invalidCiphertextLength: return "AES-256-ECB: ciphertext length is not a multiple of 16"
        case .invalidKeyLength(let actual): return "AES-256-ECB: key must be 32 bytes, got \(actual)"
        case .badPadding: return "AES-256-ECB: bad padding (wrong key or corrupt data)"
        case .openSSLFailure(let operation): return "OpenSSL: \(operation) failed"
        }
    }
}
