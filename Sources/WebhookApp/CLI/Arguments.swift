/// A small command-line reader: positional words and `--name value` / `--flag` options.
struct Arguments {
    /// A usage mistake, printed as one sentence with exit code 2.
    struct UsageError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    private(set) var positionals: [String] = []
    private var values: [String: String] = [:]
    private var flags: Set<String> = []

    /// - Parameters:
    ///   - arguments: the words after the command.
    ///   - valueOptions: options that take a value (`--config FILE`).
    ///   - flagOptions: options that take none (`--dead`).
    init(_ arguments: [String], valueOptions: Set<String>, flagOptions: Set<String> = []) throws {
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word == "--" {
                positionals.append(contentsOf: arguments[(index + 1)...])
                break
            }
            if word.hasPrefix("--") {
                var name = String(word.dropFirst(2))
                var inline: String?
                if let equals = name.firstIndex(of: "=") {
                    inline = String(name[name.index(after: equals)...])
                    name = String(name[..<equals])
                }
                if valueOptions.contains(name) {
                    if let inline {
                        values[name] = inline
                    } else {
                        guard index + 1 < arguments.count else { throw UsageError("--\(name) needs a value.") }
                        index += 1
                        values[name] = arguments[index]
                    }
                } else if flagOptions.contains(name) || name == "help" {
                    guard inline == nil else { throw UsageError("--\(name) takes no value.") }
                    flags.insert(name)
                } else {
                    throw UsageError("Unknown option --\(name); see --help.")
                }
            } else if word == "-h" {
                flags.insert("help")
            } else {
                positionals.append(word)
            }
            index += 1
        }
    }

    func value(_ name: String) -> String? { values[name] }

    func has(_ name: String) -> Bool { flags.contains(name) }

    var wantsHelp: Bool { flags.contains("help") }
}
