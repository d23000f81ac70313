/// A response to write. The server adds `Content-Length` (always) and `Connection: close` when it closes.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var fields: HTTPFields
    public var body: [UInt8]

    public init(status: Int, fields: HTTPFields = HTTPFields(), body: [UInt8] = []) {
        self.status = status
        self.fields = fields
        self.body = body
    }

    /// A JSON response with `Content-Type: application/json`.
    public static func json(_ status: Int, _ body: String, fields: HTTPFields = HTTPFields()) -> HTTPResponse {
        var fields = fields
        fields.append(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: status, fields: fields, body: Array(body.utf8))
    }
}
