import Foundation
import WebhookStore

/// `kyc-webhooks store copy --to-config FILE`: this configuration's sqlite store into FILE's postgres store
/// (docs/reference.md §2, §8), resumable and idempotent (``StoreCopy``).
enum StoreCommand {
    static let help = """
        Usage: kyc-webhooks store copy --to-config FILE [--config FILE]

        copy: every event (with its key and deliveries) and rejected body of this configuration's sqlite store
        into the postgres store of FILE, which may be in use by receivers. In batches, each committed with its
        progress: run it again after an interruption and it goes on where it stopped; run it again after it
        finished and it copies nothing. Events the target already holds are left as they are there.
        """

    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, valueOptions: ["config", "to-config"])
        if arguments.wantsHelp {
            print(help)
            return 0
        }
        guard arguments.positionals == ["copy"] else {
            throw Arguments.UsageError("store needs copy; see store --help.")
        }
        guard let targetFile = arguments.value("to-config") else {
            throw Arguments.UsageError("store copy needs --to-config FILE, the configuration of the target store.")
        }
        let source = try StoreOption.storeSettings(arguments)
        guard source.kind == .sqlite else {
            throw CommandFailure.usage(
                "store copy copies from a sqlite store; this configuration's store is \(source.kind.rawValue)."
            )
        }
        guard FileManager.default.fileExists(atPath: source.path) else {
            throw CommandFailure.runtime("No store at \(source.path); check store.path in the configuration.")
        }
        let target = try StoreOption.storeSettings(Arguments(["--config", targetFile], valueOptions: ["config"]))
        guard target.kind == .postgres, let url = target.url else {
            throw CommandFailure.usage(
                "store copy copies into a postgres store; \(targetFile) has a \(target.kind.rawValue) store."
            )
        }
        let summary: StoreCopy.Summary
        do {
            summary = try StoreCopy.copy(
                sqlitePath: source.path,
                to: .init(connectionString: url.utf8, schema: target.schema)
            ) { progress in
                FileHandle.standardError.write(Data("copied \(progress.events) events so far\n".utf8))
            }
        } catch let error as InboxError {
            throw CommandFailure.runtime(error.detail)
        } catch {
            throw CommandFailure.runtime("The copy stopped (run it again to resume): \(error)")
        }
        print(
            "copied \(summary.events) events (\(summary.alreadyThere) already there) and \(summary.rejected) rejected bodies"
        )
        return 0
    }
}
