import Foundation
import WebhookStore

/// `kyc-webhooks events list|show`: what the store recorded, without payloads (so without personal data).
enum EventsCommand {
    static let help = """
        Usage: kyc-webhooks events list [--status S] [--type T] [--limit N] [--config FILE]
               kyc-webhooks events show KEY [--config FILE]

        list: recorded events, newest first. --status is pending, done, dead or rejected (authentic bodies
        that did not decode, kept for review); --type an event type or a glob (kyc.*).
        show: one event with its deliveries: handler, state, attempts, next attempt, last error.
        """

    static func run(_ words: [String]) async throws -> Int32 {
        let arguments = try Arguments(words, valueOptions: ["config", "status", "type", "limit"])
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
            let inbox = try StoreOption.open(arguments)
            defer { inbox.close() }
            let events = try await inbox.listEvents(
                EventQuery(status: arguments.value("status"), type: arguments.value("type"), limit: limit)
            )
            print(render(events))
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

/// `kyc-webhooks replay KEY [--handler NAME]` / `kyc-webhooks replay --dead`.
enum ReplayCommand {
    static let help = """
        Usage: kyc-webhooks replay KEY [--handler NAME] [--config FILE]
               kyc-webhooks replay --dead [--config FILE]

        Queues deliveries again; a running daemon picks them up within a second or two (or at its next start).
        KEY alone: the event's dead deliveries. --handler NAME: that handler's delivery whatever its state
        (to re-run a handler after fixing it). --dead: every dead delivery.
        """

    static func run(_ words: [String]) async throws -> Int32 {
        let arguments = try Arguments(words, valueOptions: ["config", "handler"], flagOptions: ["dead"])
        if arguments.wantsHelp {
            print(help)
            return 0
        }
        let queued: Int
        if arguments.has("dead") {
            guard arguments.positionals.isEmpty, arguments.value("handler") == nil else {
                throw Arguments.UsageError("replay --dead takes no KEY and no --handler.")
            }
            let inbox = try StoreOption.open(arguments)
            defer { inbox.close() }
            queued = try await inbox.replayDead(now: Date())
        } else {
            guard arguments.positionals.count == 1 else {
                throw Arguments.UsageError("replay needs one KEY, or --dead; see replay --help.")
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
            throw CommandFailure.usage("store.kind postgres is not available in this build yet.")
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
