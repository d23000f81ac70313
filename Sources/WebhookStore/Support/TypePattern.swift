/// The `--type` filter of `events list`: an exact type, or a glob where `*` matches any run of characters.
struct TypePattern: Sendable, Equatable {
    let pattern: String

    init(_ pattern: String) {
        self.pattern = pattern
    }

    var isGlob: Bool { pattern.contains("*") }

    /// Whether `type` matches, case-sensitively, byte by byte (types are ASCII names).
    func matches(_ type: String) -> Bool {
        let pattern = Array(pattern.utf8)
        let text = Array(type.utf8)
        // Classic linear-time wildcard match with backtracking to the last `*`.
        var p = 0
        var t = 0
        var star = -1
        var resume = 0
        while t < text.count {
            if p < pattern.count, pattern[p] != UInt8(ascii: "*"), pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.count, pattern[p] == UInt8(ascii: "*") {
                star = p
                resume = t
                p += 1
            } else if star >= 0 {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == UInt8(ascii: "*") {
            p += 1
        }
        return p == pattern.count
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
