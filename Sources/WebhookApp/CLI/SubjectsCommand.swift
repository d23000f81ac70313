import WebhookStore

/// `kyc-webhooks subjects show ID`: one subject's timeline across senders (docs/reference.md §2, §5 "Order"),
/// without payloads (so without personal data).
enum SubjectsCommand {
    static let help = """
        Usage: kyc-webhooks subjects show ID [--config FILE]

        show: the events of subject ID (a Gu1 validation or session id, an ARGOS submission_id) from every
        sender, in occurredAt order (events without a time last, by receipt), with their outcome and whether
        they were stale: recorded after an event of the same source and subject with a later occurredAt.
        """

    static func run(_ words: [String]) async throws -> Int32 {
        let arguments = try Arguments(words, valueOptions: ["config"])
        if arguments.wantsHelp {
            print(help)
            return 0
        }
        guard arguments.positionals.first == "show" else {
            guard let subcommand = arguments.positionals.first else {
                throw Arguments.UsageError("subjects needs show; see subjects --help.")
            }
            throw Arguments.UsageError("Unknown subjects subcommand '\(subcommand)'; use show.")
        }
        guard arguments.positionals.count == 2 else { throw Arguments.UsageError("subjects show takes one ID.") }
        let subjectId = arguments.positionals[1]
        let inbox = try StoreOption.open(arguments)
        defer { inbox.close() }
        let timeline = try await inbox.subjectTimeline(subjectId)
        guard !timeline.isEmpty else {
            throw CommandFailure.runtime(
                "No events of subject \(subjectId); find subject ids with kyc-webhooks events show KEY."
            )
        }
        print(render(timeline))
        return 0
    }

    static func render(_ timeline: [SubjectEvent]) -> String {
        var rows = [["OCCURRED", "RECEIVED", "SOURCE", "TYPE", "OUTCOME", "STALE", "KEY"]]
        for event in timeline {
            rows.append([
                event.occurredAt ?? "-", event.receivedAt, event.source, event.type, event.outcome,
                event.stale ? "stale" : "-", event.key,
            ])
        }
        return Table.render(rows)
    }
}
