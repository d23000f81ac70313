import WebhookCore

/// The `--type` filter of `events list`: an exact type, or a glob where `*` matches any run of characters.
struct TypePattern: Sendable, Equatable {
    let pattern: String

    init(_ pattern: String) {
        self.pattern = pattern
    }

    var isGlob: Bool { pattern.contains("*") }

    /// Whether `type` matches, case-sensitively, with the same glob rules as a handler's `match.types`.
    func matches(_ type: String) -> Bool {
        HandlerMatch.glob(pattern, matches: type)
    }

    /// The characters before the first `*` (every type the glob matches starts with them), nil without a `*`.
    var literalPrefix: String? {
        guard let star = pattern.firstIndex(of: "*") else { return nil }
        return String(pattern[..<star])
    }

    /// The same pattern for PostgreSQL's `LIKE` (default escape `\`): `*` becomes `%`; `%`, `_` and `\` are
    /// escaped.
    var likePattern: String {
        var result = ""
        for character in pattern {
            switch character {
            case "*": result += "%"
            case "%", "_", "\\": result += "\\" + String(character)
            default: result.append(character)
            }
        }
        return result
    }

    /// The same pattern for SQLite's `GLOB`, where `?` and `[` are special too, so they are bracketed.
    var sqliteGlob: String {
        var result = ""
        for character in pattern {
            switch character {
            case "?": result += "[?]"
            case "[": result += "[[]"
            default: result.append(character)
            }
        }
        return result
    }
}
