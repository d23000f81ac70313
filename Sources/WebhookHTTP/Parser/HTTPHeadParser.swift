/// The resumable scanner of one request head: request line, field lines and the empty line (RFC 9112 §2–5).
///
/// The head is never copied while it arrives. The caller presents the head's bytes from its first byte on
/// every call (``HTTPRequestParser`` consumes nothing of a head until it is complete), and the scanner
/// remembers how far it has validated and where the method, target and fields lie, so a head that trickles in
/// one byte at a time is still scanned once. Each byte is judged when it is first seen, so an invalid byte is
/// refused at once (a TLS ClientHello fails on its first byte) and the header limit is enforced without
/// looking past it.
struct HTTPHeadParser: Sendable {
    /// Where in the head grammar the next byte falls.
    enum State: UInt8, Sendable {
        /// First byte: the method's first `tchar`, or the CR of the one empty line we ignore.
        case start
        /// After that ignored CR: its LF.
        case leadingLF
        /// After the ignored empty line: the method's first `tchar` (a second empty line is refused).
        case requestStart
        case method
        case target
        case version
        /// The LF ending the request line.
        case requestLF
        /// Start of a line: a field name's first `tchar`, or the CR of the empty line ending the head.
        case fieldStart
        case name
        /// Optional whitespace after the colon.
        case valueOWS
        case value
        /// The LF ending a field line.
        case fieldLF
        /// The LF of the empty line ending the head.
        case endLF
    }

    /// Offsets (from the head's first byte) of one field line's name and OWS-trimmed value.
    struct FieldSpan: Sendable {
        var nameStart: Int
        var nameEnd: Int
        var valueStart: Int
        var valueEnd: Int
    }

    /// What one scan found.
    enum Outcome: Sendable {
        /// The head is not complete; present the same bytes again followed by more.
        case needMore
        /// The head is complete and `length` bytes long (both CRLFs of its end included).
        case complete(HTTPRequestHead, length: Int)
        /// The head is refused.
        case failed(HTTPParserError)
    }

    // MARK: Scan state

    private(set) var state: State = .start
    /// Bytes of the head validated so far.
    private(set) var position = 0
    private var methodStart = 0
    private var methodEnd = 0
    private var targetStart = 0
    private var targetEnd = 0
    private var versionIndex = 0
    private var isHTTP11 = false
    /// Hex digits still owed after a `%` in the target.
    private var percentDigitsOwed = 0
    private var nameStart = 0
    private var nameEnd = 0
    private var valueStart = 0
    private var valueEnd = 0
    /// Whether any field value has a byte ≥ 0x80 (then values are checked to be UTF-8).
    private var hasObsText = false
    private var spans: [FieldSpan] = []

    /// Forgets the current head (after it completed, or to restart), keeping the span storage.
    mutating func reset() {
        state = .start
        position = 0
        percentDigitsOwed = 0
        hasObsText = false
        spans.removeAll(keepingCapacity: true)
    }

    // MARK: Scanning

    /// Scans the head that starts at `input`'s first byte, resuming where the previous call stopped.
    ///
    /// - Parameters:
    ///   - input: the head's bytes from its first byte (and possibly body bytes or later requests after it).
    ///   - limits: the header, target and field limits.
    /// - Returns: whether the head is complete, needs more bytes, or is refused.
    mutating func scan(_ input: UnsafeRawBufferPointer, limits: HTTPParserLimits) -> Outcome {
        if input.count < position {
            // The caller broke the contract (it dropped bytes we had scanned): start over rather than trust
            // offsets into bytes we can no longer see.
            reset()
        }
        let end = min(input.count, limits.maxHeaderBytes)
        var i = position
        while i < end {
            let b = input[i]
            switch state {
            case .start:
                if b == HTTPByteClass.cr {
                    state = .leadingLF
                } else if HTTPByteClass.isToken(b) {
                    methodStart = i
                    state = .method
                } else {
                    return .failed(.invalidRequestLine)
                }
                i &+= 1

            case .leadingLF:
                guard b == HTTPByteClass.lf else { return .failed(.invalidRequestLine) }
                state = .requestStart
                i &+= 1

            case .requestStart:
                guard HTTPByteClass.isToken(b) else { return .failed(.invalidRequestLine) }
                methodStart = i
                state = .method
                i &+= 1

            case .method:
                while i < end && HTTPByteClass.isToken(input[i]) { i &+= 1 }
                if i == end { break }
                guard input[i] == HTTPByteClass.sp else { return .failed(.invalidRequestLine) }
                methodEnd = i
                i &+= 1
                targetStart = i
                state = .target

            case .target:
                let maxTarget = limits.maxTargetLength
                while i < end {
                    let c = input[i]
                    if percentDigitsOwed > 0 {
                        guard HTTPByteClass.hexValue(c) != nil else { return .failed(.invalidTarget) }
                        percentDigitsOwed &-= 1
                    } else if c == HTTPByteClass.percent {
                        percentDigitsOwed = 2
                    } else if !HTTPByteClass.isTarget(c) {
                        break
                    }
                    if i &- targetStart >= maxTarget { return .failed(.targetTooLong) }
                    i &+= 1
                }
                if i == end { break }
                let c = input[i]
                guard c == HTTPByteClass.sp else {
                    let isLineEnd = c == HTTPByteClass.cr || c == HTTPByteClass.lf
                    return .failed(isLineEnd ? .invalidRequestLine : .invalidTarget)
                }
                guard i > targetStart else { return .failed(.invalidRequestLine) }
                targetEnd = i
                guard Self.hasValidForm(input, targetStart, targetEnd, methodStart: methodStart, methodEnd: methodEnd)
                else {
                    return .failed(.invalidTarget)
                }
                versionIndex = 0
                state = .version
                i &+= 1

            case .version:
                if let error = checkVersionByte(b) { return .failed(error) }
                versionIndex &+= 1
                i &+= 1
                if versionIndex == 9 { state = .requestLF }

            case .requestLF:
                guard b == HTTPByteClass.lf else { return .failed(.invalidRequestLine) }
                state = .fieldStart
                i &+= 1

            case .fieldStart:
                if b == HTTPByteClass.cr {
                    state = .endLF
                } else if HTTPByteClass.isToken(b) {
                    // Refused at the first byte of the field one past the limit.
                    guard spans.count < limits.maxFieldCount else { return .failed(.headerTooLarge) }
                    nameStart = i
                    state = .name
                } else {
                    // SP/HTAB (obs-fold, or whitespace before the first field), ':' (empty name), bare LF,
                    // or a byte that may not start a name.
                    return .failed(.invalidField)
                }
                i &+= 1

            case .name:
                while i < end && HTTPByteClass.isToken(input[i]) { i &+= 1 }
                if i == end { break }
                // Whitespace before the colon, or any non-token byte, is refused (RFC 9112 §5.1).
                guard input[i] == HTTPByteClass.colon else { return .failed(.invalidField) }
                nameEnd = i
                i &+= 1
                state = .valueOWS

            case .valueOWS:
                while i < end && HTTPByteClass.isWhitespace(input[i]) { i &+= 1 }
                if i == end { break }
                valueStart = i
                valueEnd = i
                state = .value

            case .value:
                while i < end {
                    let c = input[i]
                    if c > HTTPByteClass.sp && c != 0x7F {
                        if c >= 0x80 { hasObsText = true }
                        i &+= 1
                        valueEnd = i
                    } else if c == HTTPByteClass.sp || c == HTTPByteClass.htab {
                        i &+= 1
                    } else {
                        break
                    }
                }
                if i == end { break }
                // NUL, DEL, other CTLs and a bare LF are refused; CR must be followed by LF.
                guard input[i] == HTTPByteClass.cr else { return .failed(.invalidField) }
                spans.append(
                    FieldSpan(nameStart: nameStart, nameEnd: nameEnd, valueStart: valueStart, valueEnd: valueEnd)
                )
                state = .fieldLF
                i &+= 1

            case .fieldLF:
                guard b == HTTPByteClass.lf else { return .failed(.invalidField) }
                state = .fieldStart
                i &+= 1

            case .endLF:
                guard b == HTTPByteClass.lf else { return .failed(.invalidField) }
                position = i &+ 1
                return buildHead(input, length: i &+ 1, limits: limits)
            }
        }
        position = i
        if input.count > limits.maxHeaderBytes {
            // `maxHeaderBytes` bytes seen and the head has not ended: the next byte is one too many.
            return .failed(.headerTooLarge)
        }
        return .needMore
    }

    /// Checks byte number `versionIndex` of `HTTP/1.0` or `HTTP/1.1` followed by CR.
    private mutating func checkVersionByte(_ c: UInt8) -> HTTPParserError? {
        let isDigit = c >= 0x30 && c <= 0x39
        switch versionIndex {
        case 0: return c == 0x48 ? nil : .invalidRequestLine // H
        case 1, 2: return c == 0x54 ? nil : .invalidRequestLine // T
        case 3: return c == 0x50 ? nil : .invalidRequestLine // P
        case 4: return c == 0x2F ? nil : .invalidRequestLine // /
        case 5: return c == 0x31 ? nil : (isDigit ? .unsupportedVersion : .invalidRequestLine) // 1
        case 6: return c == 0x2E ? nil : .invalidRequestLine // .
        case 7:
            if c == 0x31 {
                isHTTP11 = true
                return nil
            }
            if c == 0x30 {
                isHTTP11 = false
                return nil
            }
            return isDigit ? .unsupportedVersion : .invalidRequestLine
        default:
            // Only CR may follow: no trailing space, no bare LF, no third version digit.
            return c == HTTPByteClass.cr ? nil : .invalidRequestLine
        }
    }

    /// Whether the target has a form of RFC 9112 §3.2 that its method may use (its bytes were checked already):
    /// origin form (`/…`) with any method but CONNECT; absolute form (`scheme://authority…`) with any method
    /// but CONNECT; asterisk form (exactly `*`) only with OPTIONS; authority form (`host:port`) only with
    /// CONNECT, which takes nothing else (RFC 9110 §9.3.6).
    private static func hasValidForm(
        _ input: UnsafeRawBufferPointer,
        _ start: Int,
        _ end: Int,
        methodStart: Int,
        methodEnd: Int
    ) -> Bool {
        if bytes(input, methodStart, methodEnd, equal: "CONNECT") { return isAuthorityForm(input, start, end) }
        let first = input[start]
        if first == 0x2F { return true } // origin-form
        if first == 0x2A { // asterisk-form: exactly "*", for OPTIONS
            return end &- start == 1 && bytes(input, methodStart, methodEnd, equal: "OPTIONS")
        }
        return isAbsoluteForm(input, start, end)
    }

    /// `scheme "://" authority [ path-abempty ] [ "?" query ]` with a non-empty authority and no userinfo (RFC
    /// 9110 §4.2.1 and §4.2.4: an `http` URI with an empty host is invalid; userinfo is treated as an error).
    /// A URI without an authority (`urn:x`) is refused: it would read like the authority form (`host:port`).
    private static func isAbsoluteForm(_ input: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        guard isAlpha(input[start]) else { return false }
        var i = start &+ 1
        while i < end && input[i] != HTTPByteClass.colon {
            let c = input[i]
            guard isAlpha(c) || (c >= 0x30 && c <= 0x39) || c == 0x2B || c == 0x2D || c == 0x2E else { return false }
            i &+= 1
        }
        // ":" "/" "/" and at least one byte of authority.
        guard end &- i > 3, input[i &+ 1] == 0x2F, input[i &+ 2] == 0x2F else { return false }
        let authorityStart = i &+ 3
        i = authorityStart
        while i < end && input[i] != 0x2F && input[i] != 0x3F {
            if input[i] == 0x40 { return false } // userinfo "@"
            i &+= 1
        }
        return i > authorityStart
    }

    /// `uri-host ":" port` (RFC 9112 §3.2.3): a non-empty registered name or IPv4 address, then a port of digits.
    private static func isAuthorityForm(_ input: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        var colon = end
        var i = start
        while i < end {
            let c = input[i]
            if c == HTTPByteClass.colon {
                colon = i
                break
            }
            if c == 0x2F || c == 0x3F || c == 0x40 { return false } // "/", "?", "@": not a reg-name or IPv4
            i &+= 1
        }
        guard colon > start, end &- colon > 1 else { return false }
        i = colon &+ 1
        while i < end {
            guard input[i] >= 0x30 && input[i] <= 0x39 else { return false }
            i &+= 1
        }
        return true
    }

    /// Whether `input[start..<end]` is exactly `literal` (methods are case-sensitive).
    private static func bytes(
        _ input: UnsafeRawBufferPointer,
        _ start: Int,
        _ end: Int,
        equal literal: StaticString
    ) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard end &- start == count else { return false }
        let bytes = literal.utf8Start
        var k = 0
        while k < count {
            if input[start &+ k] != bytes[k] { return false }
            k &+= 1
        }
        return true
    }

    private static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }

    // MARK: Building the head

    /// Interprets the framing fields and builds the head's strings, once, from the complete head.
    private func buildHead(_ input: UnsafeRawBufferPointer, length: Int, limits: HTTPParserLimits) -> Outcome {
        var fieldsInfo = HTTPFramingFields()
        for span in spans {
            fieldsInfo.inspect(span, in: input)
        }
        if hasObsText {
            for span in spans where !Self.isUTF8(input, span.valueStart, span.valueEnd) {
                return .failed(.invalidField)
            }
        }
        // RFC 9112 §3.2: exactly one Host on HTTP/1.1, and it names the host (empty only on HTTP/1.0 here).
        if fieldsInfo.hostCount > 1 || (isHTTP11 && (fieldsInfo.hostCount == 0 || fieldsInfo.isHostEmpty))
            || !fieldsInfo.isHostValid
        {
            return .failed(.invalidHost)
        }
        let framing: HTTPBodyFraming
        switch fieldsInfo.framing(isHTTP11: isHTTP11, maxBodyBytes: limits.maxBodyBytes) {
        case .success(let f): framing = f
        case .failure(let error): return .failed(error)
        }

        var fields: [HTTPFields.Field] = []
        fields.reserveCapacity(spans.count)
        for span in spans {
            fields.append(
                HTTPFields.Field(
                    name: Self.string(input, span.nameStart, span.nameEnd),
                    value: Self.string(input, span.valueStart, span.valueEnd)
                )
            )
        }
        let isKeepAlive = isHTTP11 ? !fieldsInfo.hasClose : (fieldsInfo.hasKeepAlive && !fieldsInfo.hasClose)
        let hasBody: Bool
        switch framing {
        case .none: hasBody = false
        case .length(let n): hasBody = n > 0
        case .chunked: hasBody = true
        }
        let head = HTTPRequestHead(
            method: Self.string(input, methodStart, methodEnd),
            target: Self.string(input, targetStart, targetEnd),
            version: isHTTP11 ? .http1_1 : .http1_0,
            fields: HTTPFields(fields),
            framing: framing,
            isKeepAlive: isKeepAlive,
            // RFC 9110 §10.1.1: ignore 100-continue from HTTP/1.0; pointless without content.
            expectsContinue: isHTTP11 && fieldsInfo.expectsContinue && hasBody
        )
        return .complete(head, length: length)
    }

    /// A String of `input[start..<end]` (already validated: ASCII, or checked UTF-8).
    static func string(_ input: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> String {
        let count = end &- start
        if count <= 0 { return "" }
        return String(unsafeUninitializedCapacity: count) { buffer in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: input[start..<end]))
            return count
        }
    }

    private static func isUTF8(_ input: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Bool {
        String(validating: UnsafeRawBufferPointer(rebasing: input[start..<end]), as: UTF8.self) != nil
    }
}
