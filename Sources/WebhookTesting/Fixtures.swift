public import Foundation

/// The normalized fields a fixture must decode to (one entry of `expected.json`).
public struct ExpectedEvent: Sendable, Equatable, Decodable {
    // The docs/reference.md §5 fields, as `expected.json` names them (`idempotencyKey` is the event's `key`).
    public var source: String
    public var type: String
    public var outcome: String
    public var subjectId: String
    public var entityId: String?
    public var externalId: String?
    public var organizationId: String?
    public var occurredAt: String?
    public var idempotencyKey: String
    /// For `argos-encrypted/*`: the ARGOS API key whose SHA-256 is the AES-256 key.
    public var apiKey: String?
    /// For rejected events that document it.
    public var rejectionCode: String?
}

/// One sample body from `Tests/WebhookCoreTests/Fixtures`, with what it must decode to.
public struct Fixture: Sendable, CustomStringConvertible {
    /// The path relative to the fixtures directory, e.g. `gu1-kyc/approved.json`.
    public var name: String
    /// The file's bytes, unchanged (what a sender posts).
    public var body: [UInt8]
    /// What the body must decode to.
    public var expected: ExpectedEvent

    /// `gu1` or `argos`: the route kind the body is posted to.
    public var sender: String { name.hasPrefix("argos") ? "argos" : "gu1" }
    /// Whether the body is ARGOS's encrypted envelope `{"data": ...}`.
    public var isEncrypted: Bool { name.hasPrefix("argos-encrypted/") }

    public var description: String { name }
}

/// Why the fixtures could not be loaded.
public struct FixtureError: Error, CustomStringConvertible {
    public var description: String
}

/// Loads the shared webhook fixtures for any test target.
///
/// The directory is found from this source file's path (`#filePath` → repository root →
/// `Tests/WebhookCoreTests/Fixtures`), so it works from every test target without bundle resources.
public enum Fixtures {
    /// `Tests/WebhookCoreTests/Fixtures` in the repository this file belongs to.
    public static var directory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent() // WebhookTesting
            .deletingLastPathComponent() // Sources
            .deletingLastPathComponent() // repository root
            .appendingPathComponent("Tests/WebhookCoreTests/Fixtures", isDirectory: true)
    }

    /// Every fixture named in `expected.json`, sorted by name.
    public static func all() throws -> [Fixture] {
        let expected = try expectedEvents()
        return try expected.keys.sorted().map { try load($0, expected: expected) }
    }

    /// The names of every fixture in `expected.json`, sorted (empty if it cannot be read: use ``all()`` to
    /// see the error). Convenient for parameterized tests.
    public static var names: [String] {
        ((try? expectedEvents()) ?? [:]).keys.sorted()
    }

    /// One fixture by name (`gu1-kyc/approved.json`).
    public static func load(_ name: String) throws -> Fixture {
        try load(name, expected: expectedEvents())
    }

    /// Every `*.json` file under the fixtures directory except `expected.json`, relative names, sorted.
    public static func filesOnDisk() throws -> [String] {
        let root = directory
        var names: [String] = []
        for folder in try FileManager.default.contentsOfDirectory(atPath: root.path) {
            var isDirectory: ObjCBool = false
            let folderURL = root.appendingPathComponent(folder)
            guard FileManager.default.fileExists(atPath: folderURL.path, isDirectory: &isDirectory),
                isDirectory.boolValue
            else { continue }
            for file in try FileManager.default.contentsOfDirectory(atPath: folderURL.path)
            where file.hasSuffix(".json") {
                names.append(folder + "/" + file)
            }
        }
        return names.sorted()
    }

    /// `expected.json`, by fixture name.
    public static func expectedEvents() throws -> [String: ExpectedEvent] {
        let url = directory.appendingPathComponent("expected.json")
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw FixtureError(description: "cannot read \(url.path): \(error)")
        }
        return try JSONDecoder().decode([String: ExpectedEvent].self, from: data)
    }

    private static func load(_ name: String, expected: [String: ExpectedEvent]) throws -> Fixture {
        guard let entry = expected[name] else {
            throw FixtureError(description: "\(name) is not in expected.json")
        }
        let url = directory.appendingPathComponent(name)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw FixtureError(description: "cannot read \(url.path): \(error)")
        }
        return Fixture(name: name, body: Array(data), expected: entry)
    }
}
