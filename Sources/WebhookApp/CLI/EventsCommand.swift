import Foundation
import WebhookStore

/// `kyc-webhooks events list|show`: what the store recorded, without payloads (so without personal data).
enum EventsCommand {
    static let help = """
        Usage: kyc-webhooks events list [FILTERS] [--status S] [--limit N] [--json] [--config FILE]
               kyc-webhooks events show KEY [--config FILE]

        list: recorded events, newest first, without payloads. --status is accepted, pending, done, dead or
        rejected (authentic bodies that did not decode, kept for review). --json prints one JSON object a line.
        FILTERS, all of them must hold, each an index lookup:
          --type T          an event type or a glob (kyc.*)
          --source S        gu1.kyc, gu1.biometric, gu1.transaction, ..., argos
          --outcome O       approved, rejected, in_review, ...
          --subject ID      the event's subjectId
          --external-id ID  the event's externalId (your id of the person)
          --entity-id ID    the event's entityId (Gu1's id of the person or company)
          --since T         received at or after T; --until T: received before T. T is ISO 8601
                            (2026-12-01, 2026-12-01T10:00:00Z) or a duration back from now (24h, 7d).
        show: one event with its deliveries: handler, state, attempts, next attempt, last error.
        """

    /// The options every command that selects events by filter takes (`events list`, `replay`).
    static let filterOptions = ["type", "source", "outcome", "subject", "external-id", "entity-id", "since", "until"]

    /// The ``EventQuery`` of the filter options given (status and limit aside).
    static func query(_ arguments: Arguments, now: Date) throws -> EventQuery {
        func text(_ name: String) throws -> String? {
            guard let value = arguments.value(name) else { return nil }
            guard !value.isEmpty else { throw Arguments.UsageError("--\(name) needs a value.") }
            return value
        }
        func time(_ name: String) throws -> Date? {
            try text(name).map { value in
                Date(
                    timeIntervalSince1970: Double(try TimeArgument.milliseconds(value, option: name, now: now)) / 1000
                )
            }
        }
        let query = EventQuery(
            type: try text("type"),
            source: try text("source"),
            outcome: try text("outcome"),
            subjectId: try text("subject"),
            externalId: try text("external-id"),
            entityId: try text("entity-id"),
            since: try time("since"),
            until: try time("until")
        )
        if let since = query.since, let until = query.until, since >= until {
            throw Arguments.UsageError("--since must be before --until.")
        }
        return query
    }

    static func run(_ words: [String]) async throws -> Int32 {
        let arguments = try Arguments(
            words,
            valueOptions: Set(["config", "status", "limit"] + filterOptions),
            flagOptions: ["json"]
        )
        if arguments.wantsHelp {
            print(help)
            return 0
        }
        guard let subcommand = arguments.positionals.first else {
            throw Arguments.UsageError("events needs list or show; see events --help.")
        }
        switch subcommand {
        case "list":
            guard arguments.positionals.count == 1 else {
                throw Arguments.UsageError("events list takes no arguments.")
            }
            var limit = 50
            if let text = arguments.value("limit") {
                guard let value = Int(text), value > 0 else {
                    throw Arguments.UsageError("--limit must be a positive number.")
                }
                limit = value
            }
            if let status = arguments.value("status"),
                !["accepted", "pending", "done", "dead", "rejected"].contains(status)
            {
                throw Arguments.UsageError("--status must be one of accepted, pending, done, dead, rejected.")
            }
            var query = try query(arguments, now: Date())
            query.status = arguments.value("status")
            query.limit = limit
            let inbox = try StoreOption.open(arguments)
            defer { inbox.close() }
            let events = try await inbox.listEvents(query)
            print(arguments.has("json") ? try renderJSONLines(events) : render(events))
            return 0
        case "show":
            guard arguments.positionals.count == 2 else { throw Arguments.UsageError("events show takes one KEY.") }
            let key = arguments.positionals[1]
            let inbox = try StoreOption.open(arguments)
            defer { inbox.close() }
            guard let detail = try await inbox.event(key: key) else {
                throw CommandFailure.runtime("No event with key \(key); list keys with kyc-webhooks events list.")
            }
            print(render(detail))
            return 0
        default:
            throw Arguments.UsageError("Unknown events subcommand '\(subcommand)'; use list or show.")
        }
    }

    /// One JSON object a line (keys sorted), nothing for no events.
    static func renderJSONLines(_ events: [EventSummary]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try events.map { String(decoding: try encoder.encode($0), as: UTF8.self) }.joined(separator: "\n")
    }

    static func render(_ events: [EventSummary]) -> String {
        guard !events.isEmpty else { return "no events" }
        var rows = [["RECEIVED", "STATUS", "TYPE", "OUTCOME", "KEY"]]
        for event in events {
            let note = event.reason.map { "  (\($0))" } ?? ""
            rows.append([event.receivedAt, event.status, event.type ?? "-", event.outcome ?? "-", event.key + note])
        }
        return Table.render(rows)
    }

    static func render(_ detail: EventDetail) -> String {
        let summary = detail.summary
        var lines = [
            "key:         \(summary.key)",
            "type:        \(summary.type ?? "-")",
            "source:      \(summary.source ?? "-")",
            "outcome:     \(summary.outcome ?? "-")",
            "subject:     \(detail.subjectId ?? "-")",
            "route:       \(summary.route)",
            "received:    \(summary.receivedAt)",
            "delivery id: \(detail.deliveryId ?? "-")",
            "status:      \(summary.status)",
        ]
        if let reason = summary.reason { lines.append("reason:      \(reason)") }
        lines.append("")
        if detail.deliveries.isEmpty {
            lines.append("no deliveries (no handler matched)")
        } else {
            var rows = [["HANDLER", "STATE", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR"]]
            for delivery in detail.deliveries {
                rows.append([
                    delivery.handler,
                    delivery.state.rawValue,
                    String(delivery.attempts),
                    delivery.state == .pending ? delivery.nextAttemptAt.map { Timestamp.iso8601($0) } ?? "-" : "-",
                    (delivery.lastError ?? "-").replacingOccurrences(of: "\n", with: " "),
                ])
            }
            lines.append(Table.render(rows))
        }
        return lines.joined(separator: "\n")
    }
}

/// `kyc-webhooks replay KEY [--handler NAME]` / `replay --dead` / `replay FILTERS --since T [--dry-run]`.
enum ReplayCommand {
    static let help = """
        Usage: kyc-webhooks replay KEY [--handler NAME] [--config FILE]
               kyc-webhooks replay --dead [--config FILE]
               kyc-webhooks replay FILTERS --since T [--until T] [--handler NAME] [--pace N] [--dry-run]

        Queues deliveries again and prints how many; a running daemon picks them up within a second or two (or
        at its next start). KEY alone: the event's dead deliveries. --handler NAME: that handler's delivery
        whatever its state (to re-run a handler after fixing it). --dead: every dead delivery.
        FILTERS (the filters of events list: --type, --source, --outcome, --subject, --external-id,
        --entity-id) with --since: every delivery of the matching events (to --handler only, if given),
        whatever its state, oldest event first. They fall due N a second (--pace, default 100), so new events
        keep their turn while a large replay drains. --dry-run only counts.
        """

    static func run(_ words: [String]) async throws -> Int32 {
        let arguments = try Arguments(
            words,
            valueOptions: Set(["config", "handler", "pace"] + EventsCommand.filterOptions),
            flagOptions: ["dead", "dry-run"]
        )
        if arguments.wantsHelp {
            print(help)
            return 0
        }
        let isByFilter = EventsCommand.filterOptions.contains { arguments.value($0) != nil }
        let queued: Int
        if arguments.has("dead") {
            guard arguments.positionals.isEmpty, arguments.value("handler") == nil, !isByFilter else {
                throw Arguments.UsageError("replay --dead takes no KEY, filter or --handler.")
            }
            let inbox = try StoreOption.open(arguments)
            defer { inbox.close() }
            queued = try await inbox.replayDead(now: Date())
        } else if isByFilter {
            guard arguments.positionals.isEmpty else {
                throw Arguments.UsageError("replay takes a KEY or filters, not both; see replay --help.")
            }
            guard arguments.value("since") != nil else {
                throw Arguments.UsageError("replay by filter needs --since T (a time or a duration such as 24h).")
            }
            var pace = 100
            if let text = arguments.value("pace") {
                guard let value = Int(text), value > 0, value <= 100_000 else {
                    throw Arguments.UsageError("--pace must be a number of deliveries a second, 1 to 100000.")
                }
                pace = value
            }
            let query = try EventsCommand.query(arguments, now: Date())
            let inbox = try StoreOption.open(arguments)
            defer { inbox.close() }
            let isDryRun = arguments.has("dry-run")
            queued = try await inbox.replay(
                matching: query,
                handler: arguments.value("handler"),
                now: Date(),
                spacing: .microseconds(1_000_000 / pace),
                dryRun: isDryRun
            )
            if isDryRun {
                print("would queue \(queued) \(queued == 1 ? "delivery" : "deliveries") (dry run: nothing changed)")
                return 0
            }
        } else {
            guard arguments.positionals.count == 1, !arguments.has("dry-run"), arguments.value("pace") == nil else {
                throw Arguments.UsageError("replay needs one KEY, --dead, or filters with --since; see replay --help.")
            }
            let key = arguments.positionals[0]
            let inbox = try StoreOption.open(arguments)
            defer { inbox.close() }
            guard try await inbox.event(key: key) != nil else {
                throw CommandFailure.runtime("No event with key \(key); list keys with kyc-webhooks events list.")
            }
            queued = try await inbox.replay(key: key, handler: arguments.value("handler"), now: Date())
        }
        print("queued \(queued) \(queued == 1 ? "delivery" : "deliveries")")
        return 0
    }
}

/// Opens the configured store for the CLI commands that read or queue (a second process beside the daemon).
///
/// These commands need only the `store` section, so a configuration whose only problems lie elsewhere (the
/// usual case: the webhook secrets are in the daemon's environment, not the operator's shell) still opens
/// its store. Problems in `store` itself are reported as `check-config` would.
enum StoreOption {
    static func open(_ arguments: Arguments) throws -> any Inbox {
        let store = try storeSettings(arguments)
        switch store.kind {
        case .sqlite:
            guard FileManager.default.fileExists(atPath: store.path) else {
                throw CommandFailure.runtime(
                    "No store at \(store.path) yet; start the daemon (kyc-webhooks serve) or check store.path."
                )
            }
            do {
                // Never creates or alters a file that is not already a store of ours; the daemon's start-up
                // reads every page, a command does not (it runs beside the daemon, often).
                return try SQLiteInbox(path: store.path, options: .init(createIfMissing: false, verifyContent: false))
            } catch let error as InboxError where error.code == .untrustedStore || error.code == .storeMissing {
                throw CommandFailure.runtime(error.detail)
            } catch {
                throw CommandFailure.runtime("Cannot open the store at \(store.path): \(error)")
            }
        case .memory:
            throw CommandFailure.usage("store.kind is memory: there is nothing to read from another process.")
        case .postgres:
            guard let url = store.url else {
                throw CommandFailure.usage("store.url is required for the postgres store.")
            }
            do {
                // Never creates the schema: only the daemon does. Two connections: one writer, one for the rest.
                return try PostgresInbox(
                    options: .init(
                        connectionString: url.utf8,
                        schema: store.schema,
                        poolSize: 2,
                        createIfMissing: false
                    )
                )
            } catch let error as InboxError {
                throw CommandFailure.runtime(error.detail)
            } catch {
                throw CommandFailure.runtime("Cannot open the postgres store (schema \(store.schema)): \(error)")
            }
        }
    }

    /// The `store` section: from the valid configuration, or as parsed when only other sections have problems.
    static func storeSettings(_ arguments: Arguments) throws -> Configuration.Store {
        let result = Configuration.load(
            path: arguments.value("config"),
            environment: ProcessInfo.processInfo.environment,
            currentDirectory: FileManager.default.currentDirectoryPath
        )
        // Problems under `$.store` (or an unreadable file) are reported as every other command reports them.
        guard let store = result.store,
            !result.problems.contains(where: { $0.path.hasPrefix("$.store") || $0.path.isEmpty })
        else {
            return try ConfigurationOption.load(arguments).store
        }
        return store
    }
}

/// Left-aligned text columns.
enum Table {
    static func render(_ rows: [[String]]) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
