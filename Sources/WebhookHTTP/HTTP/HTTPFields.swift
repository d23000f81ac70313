/// The header fields of one request or response, in the order they arrived.
///
/// Names keep their original spelling; look-ups compare names ASCII case-insensitively (RFC 9110 §5.1).
public struct HTTPFields: Sendable, Equatable, Sequence {
    /// One field line.
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field]

    public init(_ fields: [Field] = []) {
        self.fields = fields
    }

    public var count: Int { fields.count }

    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// Appends a field line.
    public mutating func append(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every field of this name by one line with `value`.
    public mutating func replaceOrAdd(name: String, value: String) {
        fields.removeAll { $0.name.isEqualCaseInsensitive(to: name) }
        fields.append(Field(name: name, value: value))
    }

    /// The first value of the field `name`, if any.
    public subscript(name: String) -> String? {
        fields.first { $0.name.isEqualCaseInsensitive(to: name) }?.value
    }

    /// Every value of the field `name`, in order.
    public func values(for name: String) -> [String] {
        fields.compactMap { $0.name.isEqualCaseInsensitive(to: name) ? $0.value : nil }
    }
}

extension String {
    /// ASCII case-insensitive equality, as header names and tokens need (no Unicode folding).
    @inlinable
    public func isEqualCaseInsensitive(to other: String) -> Bool {
        // Most names compared differ in length, which native strings know without a scan.
        guard self.utf8.count == other.utf8.count else { return false }
        var a = self.utf8.makeIterator()
        var b = other.utf8.makeIterator()
        while true {
            switch (a.next(), b.next()) {
            case (nil, nil):
                return true
            case (let x?, let y?):
                if x == y { continue }
                let lx = (x >= 0x41 && x <= 0x5A) ? x | 0x20 : x
                let ly = (y >= 0x41 && y <= 0x5A) ? y | 0x20 : y
                if lx != ly { return false }
            default:
                return false
            }
        }
    }
}
