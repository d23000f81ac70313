internal import COpenSSL

/// Internal helpers shared by the OpenSSL wrappers.
enum Bytes {
    /// Calls `body` with a base address that is never nil (a dummy one when `buffer` is empty).
    ///
    /// `Array.withUnsafeBytes` may hand out a nil base address for an empty array, and some OpenSSL entry points
    /// treat a NULL pointer as an error even when the length is 0. The dummy byte is never read.
    @inline(__always)
    static func withNonNilBase<R, E: Error>(
        _ buffer: UnsafeRawBufferPointer,
        _ body: (UnsafeRawPointer, Int) throws(E) -> R
    ) throws(E) -> R {
        if let base = buffer.baseAddress {
            return try body(base, buffer.count)
        }
        var dummy: UInt8 = 0
        // `withUnsafeBytes(of:)` only rethrows untyped errors: carry the typed one out in a `Result`.
        let result = withUnsafeBytes(of: &dummy) { dummyBuffer in
            Result { () throws(E) -> R in try body(dummyBuffer.baseAddress!, 0) }
        }
        return try result.get()
    }

    /// Calls `body` with the contiguous bytes of `bytes`, copying them only when the collection is not contiguous.
    ///
    /// A copy (of a lazy or otherwise non-contiguous collection) is zeroed afterwards because it may hold a key or a
    /// plaintext.
    @inline(__always)
    static func withContiguousBytes<C: Collection<UInt8>, R, E: Error>(
        _ bytes: C,
        _ body: (UnsafeRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        let result: Result<R, E>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(E) -> R in try body(UnsafeRawBufferPointer(buffer)) }
        }
        if let result {
            return try result.get()
        }
        var copy = [UInt8](bytes)
        defer { cleanse(&copy) }
        return try withBytes(of: copy, body)
    }

    /// `Array.withUnsafeBytes` with a typed error (the standard library's version only rethrows `any Error`).
    @inline(__always)
    static func withBytes<R, E: Error>(
        of array: [UInt8],
        _ body: (UnsafeRawBufferPointer) throws(E) -> R
    ) throws(E) -> R {
        let result = array.withUnsafeBytes { buffer in
            Result { () throws(E) -> R in try body(buffer) }
        }
        return try result.get()
    }

    /// Overwrites every byte of `bytes` with zeros through `OPENSSL_cleanse`, which the optimizer cannot remove.
    @inline(__always)
    static func cleanse(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { buffer in
            if let base = buffer.baseAddress { OPENSSL_cleanse(base, buffer.count) }
        }
    }
}
