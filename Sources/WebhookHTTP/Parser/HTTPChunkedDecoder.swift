/// The incremental decoder of a `chunked` body (RFC 9112 §7.1), strict on every line.
///
/// It consumes framing bytes as they come (it keeps no bytes, only a few counters), so the caller never
/// presents chunked framing twice. Chunk lines are `1*16HEXDIG *( ";" token [ "=" ( token / quoted-string ) ] )
/// CRLF` with no whitespace anywhere; trailer fields are validated like header fields and discarded.
struct HTTPChunkedDecoder: Sendable {
    /// Where in the chunked grammar the next byte falls.
    enum State: UInt8, Sendable {
        /// The first hex digit of a chunk size.
        case sizeStart
        /// More hex digits, `;` or CR.
        case size
        /// After `;`: the first byte of an extension name.
        case extensionNameStart
        case extensionName
        /// After `=`: a token or a quoted string.
        case extensionValueStart
        case extensionToken
        case extensionQuoted
        /// After `\` in a quoted string.
        case extensionQuotedPair
        /// After the closing quote: `;` or CR.
        case extensionQuotedEnd
        /// The LF ending a chunk size line.
        case sizeLF
        case data
        /// The CRLF after chunk data.
        case dataCR
        case dataLF
        /// Start of a trailer line: a name, or the CR of the empty line ending the message.
        case trailerStart
        case trailerName
        case trailerValue
        case trailerLF
        case endLF
    }

    /// What one call found.
    enum Step: Sendable, Equatable {
        /// Every byte was consumed and more are needed.
        case needMore
        /// `range` of the input is chunk data; `consumed` bytes (up to the range's end) were consumed.
        case data(Range<Int>)
        /// The message ended after `consumed` bytes.
        case end(consumed: Int)
        case failed(HTTPParserError)
    }

    private(set) var state: State = .sizeStart
    private var chunkRemaining = 0
    private var sizeDigits = 0
    /// Body bytes so far: chunk data plus chunk-extension bytes (extensions count toward the body limit, so
    /// a sender cannot stream unbounded extensions).
    private var bodyBytes = 0
    private var trailerBytes = 0
    private var trailerFields = 0

    /// Decodes from `input[0...]` up to the next data range, the message end, or the end of input.
    ///
    /// - Parameters:
    ///   - input: the bytes after those consumed so far.
    ///   - limits: `maxBodyBytes` bounds data plus extensions; `maxHeaderBytes` and `maxFieldCount` bound
    ///     the trailer section.
    /// - Returns: the step; for `.data(r)` the bytes up to `r.upperBound` are consumed.
    mutating func decode(_ input: UnsafeRawBufferPointer, limits: HTTPParserLimits) -> Step {
        let count = input.count
        var i = 0
        while i < count {
            let b = input[i]
            switch state {
            case .sizeStart:
                guard let digit = HTTPByteClass.hexValue(b) else { return .failed(.invalidChunk) }
                chunkRemaining = digit
                sizeDigits = 1
                state = .size
                if chunkRemaining > limits.maxBodyBytes &- bodyBytes { return .failed(.bodyTooLarge) }
                i &+= 1

            case .size:
                if let digit = HTTPByteClass.hexValue(b) {
                    // 16 hex digits hold any size up to 2^64; more is refused even with leading zeros.
                    sizeDigits &+= 1
                    guard sizeDigits <= 16, chunkRemaining <= (Int.max &- digit) / 16 else {
                        return .failed(.invalidChunk)
                    }
                    chunkRemaining = chunkRemaining &* 16 &+ digit
                    if chunkRemaining > limits.maxBodyBytes &- bodyBytes { return .failed(.bodyTooLarge) }
                } else if b == HTTPByteClass.semicolon {
                    state = .extensionNameStart
                } else if b == HTTPByteClass.cr {
                    state = .sizeLF
                } else {
                    // Whitespace, a sign, `x` of `0x`, `_`, a bare LF: all refused.
                    return .failed(.invalidChunk)
                }
                i &+= 1

            case .extensionNameStart, .extensionName, .extensionValueStart, .extensionToken, .extensionQuoted,
                .extensionQuotedPair, .extensionQuotedEnd:
                if let error = extensionByte(b) { return .failed(error) }
                bodyBytes &+= 1
                if chunkRemaining > limits.maxBodyBytes &- bodyBytes { return .failed(.bodyTooLarge) }
                i &+= 1

            case .sizeLF:
                guard b == HTTPByteClass.lf else { return .failed(.invalidChunk) }
                state = chunkRemaining == 0 ? .trailerStart : .data
                i &+= 1

            case .data:
                let n = min(chunkRemaining, count &- i)
                chunkRemaining &-= n
                bodyBytes &+= n
                if chunkRemaining == 0 { state = .dataCR }
                return .data(i..<(i &+ n))

            case .dataCR:
                // Data longer than its size: the byte after the data is not CR.
                guard b == HTTPByteClass.cr else { return .failed(.invalidChunk) }
                state = .dataLF
                i &+= 1

            case .dataLF:
                guard b == HTTPByteClass.lf else { return .failed(.invalidChunk) }
                state = .sizeStart
                i &+= 1

            case .trailerStart, .trailerName, .trailerValue, .trailerLF, .endLF:
                trailerBytes &+= 1
                if trailerBytes > limits.maxHeaderBytes { return .failed(.headerTooLarge) }
                switch trailerByte(b, maxFieldCount: limits.maxFieldCount) {
                case .some(.failure(let error)): return .failed(error)
                case .some(.success): return .end(consumed: i &+ 1)
                case .none: i &+= 1
                }
            }
        }
        return .needMore
    }

    /// Advances through one byte of a chunk extension; returns the refusal, if any.
    private mutating func extensionByte(_ b: UInt8) -> HTTPParserError? {
        switch state {
        case .extensionNameStart:
            guard HTTPByteClass.isToken(b) else { return .invalidChunk }
            state = .extensionName
        case .extensionName, .extensionToken:
            if HTTPByteClass.isToken(b) { return nil }
            if b == 0x3D && state == .extensionName {
                state = .extensionValueStart
            } else if b == HTTPByteClass.semicolon {
                state = .extensionNameStart
            } else if b == HTTPByteClass.cr {
                state = .sizeLF
            } else {
                return .invalidChunk
            }
        case .extensionValueStart:
            if HTTPByteClass.isToken(b) {
                state = .extensionToken
            } else if b == 0x22 {
                state = .extensionQuoted
            } else {
                return .invalidChunk
            }
        case .extensionQuoted:
            // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
            if b == 0x22 {
                state = .extensionQuotedEnd
            } else if b == 0x5C {
                state = .extensionQuotedPair
            } else if !HTTPByteClass.isFieldValue(b) {
                return .invalidChunk
            }
        case .extensionQuotedPair:
            guard HTTPByteClass.isFieldValue(b) else { return .invalidChunk }
            state = .extensionQuoted
        case .extensionQuotedEnd:
            if b == HTTPByteClass.semicolon {
                state = .extensionNameStart
            } else if b == HTTPByteClass.cr {
                state = .sizeLF
            } else {
                return .invalidChunk
            }
        default:
            return .invalidChunk
        }
        return nil
    }

    /// Advances through one byte of the trailer section: nil to go on, success at its end, or the refusal.
    private mutating func trailerByte(_ b: UInt8, maxFieldCount: Int) -> Result<Void, HTTPParserError>? {
        switch state {
        case .trailerStart:
            if b == HTTPByteClass.cr {
                state = .endLF
            } else if HTTPByteClass.isToken(b) {
                trailerFields &+= 1
                guard trailerFields <= maxFieldCount else { return .failure(.headerTooLarge) }
                state = .trailerName
            } else {
                return .failure(.invalidField)
            }
        case .trailerName:
            if b == HTTPByteClass.colon {
                state = .trailerValue
            } else if !HTTPByteClass.isToken(b) {
                return .failure(.invalidField)
            }
        case .trailerValue:
            if b == HTTPByteClass.cr {
                state = .trailerLF
            } else if !HTTPByteClass.isFieldValue(b) {
                return .failure(.invalidField)
            }
        case .trailerLF:
            guard b == HTTPByteClass.lf else { return .failure(.invalidField) }
            state = .trailerStart
        case .endLF:
            guard b == HTTPByteClass.lf else { return .failure(.invalidField) }
            return .success(())
        default:
            return .failure(.invalidChunk)
        }
        return nil
    }
}
