/// Field access shared by the decoders: JSON errors become ``DecodeError``s naming the field, never a value.
struct DecodeReader {
    let document: JSONDocument

    init(body: [UInt8]) throws(DecodeError) {
        do {
            document = try JSONDocument(parsing: body)
        } catch {
            throw DecodeError(error.description)
        }
    }

    var root: JSONValue { document.root }

    /// The member, with a duplicate name reported as a decode error naming `field`.
    func member(
        _ name: StaticString,
        of object: JSONValue,
        field: @autoclosure () -> String
    ) throws(DecodeError)
        -> JSONValue?
    {
        do {
            return try document.member(name, of: object)
        } catch {
            throw DecodeError("duplicate member `\(field())`")
        }
    }

    /// A string member; nil when absent, null or of another kind (optional fields are read tolerantly).
    func optionalString(
        _ name: StaticString,
        of object: JSONValue?,
        field: @autoclosure () -> String
    )
        throws(DecodeError) -> String?
    {
        guard let object, let value = try member(name, of: object, field: field()) else { return nil }
        return document.string(value)
    }

    /// An identifier member: a non-empty string, or a number's text; nil when absent, null, empty or another kind.
    func optionalIdentifier(
        _ name: StaticString,
        of object: JSONValue?,
        field: @autoclosure () -> String
    )
        throws(DecodeError) -> String?
    {
        guard let object, let value = try member(name, of: object, field: field()) else { return nil }
        let text = document.string(value) ?? document.numberText(value)
        guard let text, !text.isEmpty else { return nil }
        return text
    }

    /// An object member, or nil when absent or not an object.
    func optionalObject(
        _ name: StaticString,
        of object: JSONValue?,
        field: @autoclosure () -> String
    )
        throws(DecodeError) -> JSONValue?
    {
        guard let object, let value = try member(name, of: object, field: field()) else { return nil }
        return document.kind(of: value) == .object ? value : nil
    }

    /// The exact bytes of a value.
    func raw(_ value: JSONValue) -> RawJSON {
        RawJSON(bytes: Array(document.rawBytes(of: value)))
    }
}
