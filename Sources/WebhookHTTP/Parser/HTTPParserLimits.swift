/// The limits the parser enforces while it reads a request (docs/reference.md §3 `limits`).
public struct HTTPParserLimits: Sendable, Equatable {
    /// Bytes of the request line and header section together, CRLFs included (431 beyond).
    public var maxHeaderBytes: Int
    /// Bytes of the request target (414 beyond).
    public var maxTargetLength: Int
    /// Number of field lines (431 beyond).
    public var maxFieldCount: Int
    /// Bytes of body, declared or de-chunked (413 beyond, decided before the body is read when declared).
    public var maxBodyBytes: Int

    /// - Parameters:
    ///   - maxHeaderBytes: request line plus fields, default 16 KiB.
    ///   - maxTargetLength: request target, default 8 KiB.
    ///   - maxFieldCount: field lines, default 100.
    ///   - maxBodyBytes: body, default 1 MiB.
    public init(
        maxHeaderBytes: Int = 16_384,
        maxTargetLength: Int = 8_192,
        maxFieldCount: Int = 100,
        maxBodyBytes: Int = 1_048_576
    ) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxTargetLength = maxTargetLength
        self.maxFieldCount = maxFieldCount
        self.maxBodyBytes = maxBodyBytes
    }
}
