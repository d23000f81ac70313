/// A secret value (an HMAC key, a token, an API key, a database URL) that never shows itself.
///
/// Its `description`, `debugDescription` and reflection (`dump`, `Mirror`, string interpolation of a
/// containing struct) all read `Secret(redacted)`, so a configuration can be logged or printed without
/// leaking key material. Read the value only where it is used, through ``bytes`` or ``utf8``. It is
/// deliberately not `Equatable`: compare MACs and tokens in constant time (`constantTimeEquals`).
///
/// ```swift
/// let secret = Secret("change-me", origin: "test")
/// print(secret)        // Secret(redacted)
/// secret.bytes.count   // 9
/// ```
public struct Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret's bytes.
    public let bytes: [UInt8]
    /// Where the value came from, in words that contain no part of it: `env GU1_WEBHOOK_SECRET`,
    /// `file /run/secrets/gu1`, `value in the config file`. Safe to log.
    public let origin: String

    /// - Parameters:
    ///   - bytes: the secret's bytes.
    ///   - origin: where it came from, without any part of the value (safe to log); default `code`.
    public init(bytes: [UInt8], origin: String = "code") {
        self.bytes = bytes
        self.origin = origin
    }

    /// - Parameters:
    ///   - value: the secret as text; its UTF-8 bytes are the secret.
    ///   - origin: where it came from, without any part of the value (safe to log); default `code`.
    public init(_ value: String, origin: String = "code") {
        self.init(bytes: Array(value.utf8), origin: origin)
    }

    /// The secret as text (its bytes decoded as UTF-8, invalid sequences replaced).
    public var utf8: String { String(decoding: bytes, as: UTF8.self) }

    /// Always `Secret(redacted)`.
    public var description: String { "Secret(redacted)" }

    /// Always `Secret(redacted)`.
    public var debugDescription: String { "Secret(redacted)" }

    /// A mirror with no children, so `dump` and default struct descriptions show nothing of the value.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

/// How a configuration names a secret (docs/reference.md §3): `{"env": NAME}`, `{"file": PATH}` or `{"value": "literal"}`,
/// optionally with `"optional": true`.
///
/// Resolve it with ``resolve(environment:currentDirectory:)`` (in `Configuration+Environment.swift`).
public struct SecretReference: Sendable, CustomStringConvertible {
    /// Where the secret is.
    public enum Source: Sendable {
        /// An environment variable of that name.
        case environment(String)
        /// A file at that path (relative paths from the current directory); one trailing newline is trimmed.
        case file(String)
        /// The literal written in the configuration (allowed, with a startup warning).
        case value(Secret)
    }

    /// Where the secret is.
    public var source: Source
    /// When true, a missing variable or file makes the secret absent instead of being a configuration error.
    public var isOptional: Bool

    /// - Parameters:
    ///   - source: where the secret is.
    ///   - isOptional: whether a missing variable or file is allowed; default false.
    public init(_ source: Source, isOptional: Bool = false) {
        self.source = source
        self.isOptional = isOptional
    }

    /// `env NAME`, `file PATH` or `value (redacted)`: never the value.
    public var description: String {
        switch source {
        case .environment(let name): return "env \(name)"
        case .file(let path): return "file \(path)"
        case .value: return "value (redacted)"
        }
    }
}
