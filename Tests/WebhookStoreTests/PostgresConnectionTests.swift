import Foundation
import Testing
import WebhookTesting

@testable import WebhookStore

/// The libpq layer against a real server (``TestPostgres``: a throwaway cluster the suite starts itself). libpq
/// blocks, so every test runs on a thread of its own (``Blocking``).
@Suite struct PostgresConnectionTests {
    static func connect() throws -> PostgresConnection {
        let cluster = try TestPostgres.shared()
        return try PostgresConnection(connectionString: cluster.connectionString(database: cluster.createDatabase()))
    }

    @Test func parametersRoundTripAsTextBytesAndNull() async throws {
        try await Blocking.onThread {
            let connection = try Self.connect()
            defer { connection.close() }
            try connection.execute("CREATE TABLE t (id bigint PRIMARY KEY, name text, body bytea)")
            let body: [UInt8] = [0, 1, 0x7F, 0x80, 0xFF] + Array("{\"é\":\"ü\"}".utf8)
            let inserted = try connection.query(
                "INSERT INTO t (id, name, body) VALUES ($1, $2, $3), ($4, $5, $6)",
                [.integer(1), .text("Zoë 'quoted' $1"), .bytes(body), .integer(-2), .null, .null]
            )
            #expect(inserted.affectedRows == 2)
            let rows = try connection.query("SELECT id, name, body FROM t ORDER BY id")
            #expect(rows.count == 2)
            #expect(rows.int64(0, 0) == -2)
            #expect(rows.text(0, 1) == nil)
            #expect(rows.bytes(0, 2) == nil)
            #expect(rows.int64(1, 0) == 1)
            #expect(rows.text(1, 1) == "Zoë 'quoted' $1")
            #expect(rows.bytes(1, 2) == body)
        }
    }

    @Test func aUniqueViolationCarriesItsSQLStateAndNoValue() async throws {
        try await Blocking.onThread {
            let connection = try Self.connect()
            defer { connection.close() }
            try connection.execute("CREATE TABLE k (key text PRIMARY KEY)")
            try connection.query("INSERT INTO k VALUES ($1)", [.text("customer_secret_value")])
            #expect {
                try connection.query("INSERT INTO k VALUES ($1)", [.text("customer_secret_value")])
            } throws: { error in
                guard let error = error as? PostgresError else { return false }
                return error.isUniqueViolation && !error.isConnectionFailure
                    && !error.description.contains("customer_secret_value")
                    && error.operation == "INSERT INTO k VALUES ($1)"
            }
        }
    }

    @Test func theServerRunsWithDurableCommits() async throws {
        try await Blocking.onThread {
            let connection = try Self.connect()
            defer { connection.close() }
            #expect(try connection.setting("synchronous_commit") == "on")
            #expect(try connection.setting("fsync") == "on")
            #expect(connection.serverVersion >= 120_000)
        }
    }

    @Test func aFailedConnectionNamesNoPassword() async throws {
        try await Blocking.onThread {
            let cluster = try TestPostgres.shared()
            // A port nothing listens on, with a password in the URI.
            let url =
                "postgresql://postgres:hunter2-password@127.0.0.1:\(try LoopbackPort.free())/none?connect_timeout=2"
            #expect {
                _ = try PostgresConnection(connectionString: url)
            } throws: { error in
                guard let error = error as? PostgresError else { return false }
                return error.isConnectionFailure && !error.description.contains("hunter2")
            }
            // The same cluster over TCP with a URI works.
            let connection = try PostgresConnection(connectionString: cluster.url(database: "postgres"))
            defer { connection.close() }
            #expect(try connection.query("SELECT 1 + 1").int64(0, 0) == 2)
        }
    }

    @Test func aClosedConnectionRefusesQueries() async throws {
        try await Blocking.onThread {
            let connection = try Self.connect()
            connection.close()
            #expect(!connection.isOpen)
            #expect(throws: PostgresError.self) { try connection.query("SELECT 1") }
        }
    }
}
