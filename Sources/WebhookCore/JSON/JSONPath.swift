/// Where a value sits in a JSON document, written as a JSONPath: `$.routes[1].token.env`.
///
/// Configuration problems and ``JSONDocument/duplicateMembers()`` name values this way; the text quotes only
/// key names, never values.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    private enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    private var components: [Component] = []

    private init() {}

    /// `$`, the document itself.
    public static let root = JSONPath()

    /// The path of member `key` of the object at this path.
    public func appending(_ key: String) -> JSONPath {
        var copy = self
        copy.components.append(.key(key))
        return copy
    }

    /// The path of element `index` of the array at this path.
    public func appending(index: Int) -> JSONPath {
        var copy = self
        copy.components.append(.index(index))
        return copy
    }

    /// `$.a.b[2]`; keys that are not plain identifiers are written `["key"]`.
    public var description: String {
        var text = "$"
        for component in components {
            switch component {
            case .index(let index):
                text += "[\(index)]"
            case .key(let key):
                let isIdentifier =
                    !key.isEmpty && key.first?.isNumber == false
                    && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
                if isIdentifier {
                    text += ".\(key)"
                } else {
                    var escaped = ""
                    for character in key {
                        if character == "\\" || character == "\"" { escaped.append("\\") }
                        escaped.append(character)
                    }
                    text += "[\"\(escaped)\"]"
                }
            }
        }
        return text
    }
}
