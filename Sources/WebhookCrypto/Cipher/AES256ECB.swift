internal import COpenSSL

/// AES-256-ECB with PKCS#7 padding through OpenSSL's EVP interface.
///
/// ARGOS Identity encrypts webhook bodies this way (the key is the SHA-256 of the API key). ECB is weak, but it is
/// the sender's choice; we only decrypt, plus encrypt for tests and the CLI's samples. Output buffers that may
/// hold plaintext are zeroed when an operation fails; OpenSSL cleanses its own context in `EVP_CIPHER_CTX_free`.
public enum AES256ECB {
    /// The key length in bytes.
    public static let keyByteCount = 32
    /// The AES block length in bytes.
    public static let blockByteCount = 16

    /// Decrypts `ciphertext` with the 32-byte `key` and removes the PKCS#7 padding.
    ///
    /// - Parameters:
    ///   - ciphertext: A positive multiple of 16 bytes.
    ///   - key: The 32-byte key.
    /// - Returns: The plaintext.
    /// - Throws: ``CryptoError/invalidKeyLength(actual:)`` for a key that is not 32 bytes,
    ///   ``CryptoError/invalidCiphertextLength`` for an empty ciphertext or one that is not a multiple of 16,
    ///   ``CryptoError/badPadding`` when the padding is invalid (wrong key or corrupt data),
    ///   ``CryptoError/openSSLFailure(operation:)`` when OpenSSL fails otherwise.
    public static func decrypt(_ ciphertext: [UInt8], key: [UInt8]) throws(CryptoError) -> [UInt8] {
        try Bytes.withBytes(of: ciphertext) { (buffer) throws(CryptoError) -> [UInt8] in
            try run(.decrypt, input: buffer, key: key)
        }
    }

    /// Decrypts `ciphertext` with the 32-byte `key` and removes the PKCS#7 padding.
    ///
    /// - Parameters:
    ///   - ciphertext: A positive multiple of 16 bytes (an array slice, `Data`…).
    ///   - key: The 32-byte key.
    /// - Returns: The plaintext.
    /// - Throws: ``CryptoError`` exactly as the `[UInt8]` overload does.
    public static func decrypt(_ ciphertext: some Collection<UInt8>, key: [UInt8]) throws(CryptoError) -> [UInt8] {
        try Bytes.withContiguousBytes(ciphertext) { (buffer) throws(CryptoError) -> [UInt8] in
            try run(.decrypt, input: buffer, key: key)
        }
    }

    /// Encrypts `plaintext` with the 32-byte `key`, adding PKCS#7 padding (always 1 to 16 bytes).
    ///
    /// Used by tests and by the CLI to build encrypted ARGOS samples.
    ///
    /// - Parameters:
    ///   - plaintext: Any bytes, possibly empty.
    ///   - key: The 32-byte key.
    /// - Returns: The ciphertext, a positive multiple of 16 bytes.
    /// - Throws: ``CryptoError/invalidKeyLength(actual:)`` for a key that is not 32 bytes,
    ///   ``CryptoError/openSSLFailure(operation:)`` when OpenSSL fails.
    public static func encrypt(_ plaintext: some Collection<UInt8>, key: [UInt8]) throws(CryptoError) -> [UInt8] {
        try Bytes.withContiguousBytes(plaintext) { (buffer) throws(CryptoError) -> [UInt8] in
            try run(.encrypt, input: buffer, key: key)
        }
    }

    // MARK: - OpenSSL

    private enum Direction {
        case encrypt
        case decrypt
    }

    /// Runs one whole EVP operation: init, a single update, final.
    private static func run(
        _ direction: Direction,
        input: UnsafeRawBufferPointer,
        key: [UInt8]
    ) throws(CryptoError) -> [UInt8] {
        guard key.count == keyByteCount else { throw .invalidKeyLength(actual: key.count) }
        if direction == .decrypt {
            guard !input.isEmpty, input.count % blockByteCount == 0 else { throw .invalidCiphertextLength }
        }
        // Room for one extra block: encryption adds up to 16 bytes of padding.
        guard let inputLength = Int32(exactly: input.count), input.count <= Int(Int32.max) - blockByteCount else {
            throw .openSSLFailure(operation: "AES-256-ECB input larger than 2 GiB")
        }
        guard let context = EVP_CIPHER_CTX_new() else {
            throw .openSSLFailure(operation: "EVP_CIPHER_CTX_new")
        }
        // The context is local to this call and freed (and cleansed by OpenSSL) on every path.
        defer { EVP_CIPHER_CTX_free(context) }

        let initialized = key.withUnsafeBufferPointer { keyBuffer in
            switch direction {
            case .encrypt:
                EVP_EncryptInit_ex(context, FetchedAlgorithm.aes256ECB.pointer, nil, keyBuffer.baseAddress, nil)
            case .decrypt:
                EVP_DecryptInit_ex(context, FetchedAlgorithm.aes256ECB.pointer, nil, keyBuffer.baseAddress, nil)
            }
        }
        guard initialized == 1 else {
            throw .openSSLFailure(operation: direction == .encrypt ? "EVP_EncryptInit_ex" : "EVP_DecryptInit_ex")
        }
        // PKCS#7 padding is OpenSSL's default; set it explicitly so the contract is visible here.
        guard EVP_CIPHER_CTX_set_padding(context, 1) == 1 else {
            throw .openSSLFailure(operation: "EVP_CIPHER_CTX_set_padding")
        }

        var failure: CryptoError?
        let capacity = input.count + blockByteCount
        let output = [UInt8](unsafeUninitializedCapacity: capacity) { outputBuffer, initializedCount in
            let out = outputBuffer.baseAddress!
            var updateLength: Int32 = 0
            let updated = Bytes.withNonNilBase(input) { inputBase, _ in
                let inputBytes = inputBase.assumingMemoryBound(to: UInt8.self)
                return switch direction {
                case .encrypt: EVP_EncryptUpdate(context, out, &updateLength, inputBytes, inputLength)
                case .decrypt: EVP_DecryptUpdate(context, out, &updateLength, inputBytes, inputLength)
                }
            }
            guard updated == 1, updateLength >= 0, Int(updateLength) <= capacity else {
                failure = .openSSLFailure(
                    operation: direction == .encrypt ? "EVP_EncryptUpdate" : "EVP_DecryptUpdate"
                )
                OPENSSL_cleanse(out, capacity)
                initializedCount = 0
                return
            }
            var finalLength: Int32 = 0
            let finished =
                switch direction {
                case .encrypt: EVP_EncryptFinal_ex(context, out + Int(updateLength), &finalLength)
                case .decrypt: EVP_DecryptFinal_ex(context, out + Int(updateLength), &finalLength)
                }
            let total = Int(updateLength) + Int(finalLength)
            guard finished == 1, finalLength >= 0, total <= capacity else {
                // For decryption the only way Final fails after a valid Update is a bad PKCS#7 padding.
                failure = direction == .decrypt ? .badPadding : .openSSLFailure(operation: "EVP_EncryptFinal_ex")
                OPENSSL_cleanse(out, capacity)
                initializedCount = 0
                return
            }
            // Bytes past the result (never initialized, or stale) must not outlive the call holding plaintext.
            if total < capacity { OPENSSL_cleanse(out + total, capacity - total) }
            initializedCount = total
        }
        if let failure { throw failure }
        return output
    }
}
