// Hummingbird 2 + PostgresNIO: verify, decode, record once in PostgreSQL (synchronous_commit on), then 200.
// Usage: HBPostgresPeer PORT   (env WEBHOOK_SECRET, PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE;
// binds 127.0.0.1 only). The table is created beforehand by run-postgres.sh (schema.sql) beside this package.
import DurablePeerSupport
import Foundation
import Hummingbird
import Logging
import NIOCore
import PostgresNIO

let env = ProcessInfo.processInfo.environment
let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 18096 : 18096
var pg = PostgresClient.Configuration(
    host: env["PGHOST"] ?? "127.0.0.1",
    port: Int(env["PGPORT"] ?? "5432") ?? 5432,
    username: env["PGUSER"] ?? "bench",
    password: env["PGPASSWORD"] ?? "bench",
    database: env["PGDATABASE"] ?? "bench",
    tls: .disable
)
pg.options.maximumConnections = Int(env["PG_POOL"] ?? "20") ?? 20
let client = PostgresClient(configuration: pg)

let router = Router()
router.post("/webhooks/gu1") { request, _ -> Response in
    switch try await verifyAndDecode(request) {
    case .refused(let response):
        return response
    case .event(let envelope, let body):
        let key = envelope.event + ":" + envelope.payload.id
        let text = String(buffer: body)
        let rows = try await client.query(
            "INSERT INTO events (key, type, received_at, body) VALUES (\(key), \(envelope.event), now(), \(text)::jsonb) ON CONFLICT (key) DO NOTHING RETURNING id"
        )
        var inserted = false
        for try await _ in rows { inserted = true }
        return reply(.ok, inserted ? #"{"status":"accepted"}"# : #"{"status":"duplicate"}"#)
    }
}
router.get("/health") { _, _ in reply(.ok, #"{"ok":true}"#) }

var logger = Logger(label: "hb-postgres-peer")
logger.logLevel = .warning
let app = Application(
    router: router,
    configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
    services: [client],
    logger: logger
)
try await app.runService()
