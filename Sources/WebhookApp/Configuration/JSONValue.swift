import Foundation

/// A JSON value as `JSONSerialization` produced it, with booleans told apart from numbers.
///
/// Only the configuration loader uses it (off the hot path).
enum JSONValue {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    /// A number; `integer` is its exact `Int` value when it has one.
    case number(Double, integer: Int?)
    case bool(Bool)
    case null

    /// Converts what `JSONSerialization.jsonObject` returned.
    init(foundation value: Any) {
        switch value {
        case let dictionary as [String: Any]:
            self = .object(dictionary.mapValues(JSONValue.init(foundation:)))
        case let array as [Any]:
            self = .array(array.map(JSONValue.init(foundation:)))
        case let string as String:
            self = .string(string)
        case let number as NSNumber:
            // swift-corelibs-foundation gives `true`/`false` the objCType "c" and numbers "i", "q" or "d".
            if String(cString: number.objCType) == "c" {
                self = .bool(number.boolValue)
            } else {
                let double = number.doubleValue
                self = .number(double, integer: double.isFinite ? Int(exactly: double) : nil)
            }
        default:
            self = .null
        }
    }

    /// The JSON type's name, for messages (`a string`, `an object`).
    var typeName: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }
}
