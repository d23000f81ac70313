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
        let rule: String
        switch code {
        case .empty: rule = "empty document"
        case .unexpectedByte: rule = "unexpected byte"
        case .unexpectedEnd: rule = "unexpected end of document"
        case .controlCharacterInString: rule = "control character in a string"
        case .invalidEscape: rule = "invalid escape in a string"
        case .invalidUTF8: rule = "invalid UTF-8 in a string"
        case .invalidNumber: rule = "invalid number"
        case .trailingComma: rule = "trailing comma"
        case .tooDeep: rule = "nesting too deep"
        case .trailingData: rule = "data after the top-level value"
        case .duplicateMember: rule = "duplicate member `\(member ?? "")`"
        }
        return "invalid JSON: \(rule) at byte \(offset)"
    }
}
