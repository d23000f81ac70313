/// Why a byte string is not the strict JSON (RFC 8259) this receiver accepts.
///
/// The description names the rule and the byte offset, never bytes of the document.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rule the document breaks.
    public enum Code: Sendable, Equatable {
        /// The document is empty or only whitespace.
        case empty
        /// A byte that cannot start or continue a value here.
        case unexpectedByte
        /// The document ends inside a value.
        case unexpectedEnd
        /// A string contains a raw control character (U+0000–U+001F).
        case controlCharacterInString
        /// A backslash escape other than `\" \\ \/ \b \f \n \r \t \uXXXX`.
        case invalidEscape
        /// A string's bytes are not valid UTF-8.
        case invalidUTF8
        /// A number breaks the RFC 8259 grammar (leading zeros, missing digits, `+`).
        case invalidNumber
        /// A comma before `}` or `]`.
        case trailingComma
        /// Objects and arrays nested deeper than the limit.
        case tooDeep
        /// Bytes other than whitespace after the top-level value.
        case trailingData
        /// An object member the reader asked for appears more than once.
        case duplicateMember
    }

    /// The broken rule.
    public var code: Code
    /// Byte offset where the problem was found (for a duplicate member: the object's start).
    public var offset: Int
    /// For `duplicateMember`: the member name the reader asked for (a name from our code, not from the body).
    public var member: String?

    public init(_ code: Code, offset: Int, member: String? = nil) {
        self.code = code
        self.offset = offset
        self.member = member
    }

    public var description: String {
        "invalid JSON: \(rule) at byte \(offset)"
    }

    /// The broken rule in a few words: `trailing comma`, `nesting too deep`.
    public var rule: String {
        switch code {
        case .empty: return "empty document"
        case .unexpectedByte: return "unexpected byte"
        case .unexpectedEnd: return "unexpected end of document"
        case .controlCharacterInString: return "control character in a string"
        case .invalidEscape: return "invalid escape in a string"
        case .invalidUTF8: return "invalid UTF-8 in a string"
        case .invalidNumber: return "invalid number"
        case .trailingComma: return "trailing comma"
        case .tooDeep: return "nesting too deep"
        case .trailingData: return "data after the top-level value"
        case .duplicateMember: return "duplicate member `\(member ?? "")`"
        }
    }

    /// Where ``offset`` is in `bytes` (the document that failed), for a person with an editor: the line
    /// (1 for the first) and the column (1 for the first character of the line, counting Unicode scalars, so
    /// a multi-byte character is one column).
    ///
    /// - Parameter bytes: the document the error came from.
    public func lineAndColumn(in bytes: [UInt8]) -> (line: Int, column: Int) {
        let end = min(max(offset, 0), bytes.count)
        var line = 1
        var column = 1
        for byte in bytes[..<end] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 { // not a UTF-8 continuation byte
                column += 1
            }
        }
        return (line, column)
    }
}
