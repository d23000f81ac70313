// The daemon over `AcknowledgeBeforeCommitInbox`: it answers 200 before the store commits. Only the crash
// test's negative control runs it (Tests/WebhookAppTests/CrashTests.swift), to show that the crash test's
// checker catches acknowledged events lost under `kill -9`. A test-only executable, so that the product has
// no switch that turns the durability promise off.
//
// Usage: kyc-webhooks-ack-before-commit --config FILE   (a sqlite store; prints "listening on http://HOST:PORT")
import Dispatch
import Foundation
import WebhookApp
import WebhookHTTP
import WebhookStore
import WebhookTesting

#if canImport(Glibc)
    import Glibc
#endif

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("kyc-webhooks-ack-before-commit: \(message)\n".utf8))
    exit(2)
}

let words = Array(CommandLine.arguments.dropFirst())
guard words.count == 2, words[0] == "--config" else { fail("usage: kyc-webhooks-ack-before-commit --config FILE") }
let loaded = Configuration.load(
    path: words[1],
    environment: ProcessInfo.processInfo.environment,
    currentDirectory: FileManager.default.currentDirectoryPath
)
guard loaded.isValid, let configuration = loaded.configuration else { fail("invalid configuration \(words[1])") }
guard configuration.store.kind == .sqlite else { fail("store.kind must be sqlite") }

signal(SIGPIPE, SIG_IGN)
let logger = Logger.standardError(label: "kyc-webhooks-ack-before-commit")
logger.error("UNSAFE testing daemon: answering 200 before the store commits")
let app: Application
do {
    let store = try SQLiteInbox(
        path: configuration.store.path,
        options: .init(groupCommit: configuration.store.groupCommit, preloadKeys: true)
    )
    app = try Application(
        configuration: configuration,
        logger: logger,
        inbox: AcknowledgeBeforeCommitInbox(wrapping: store)
    )
    try app.start()
} catch {
    FileHandle.standardError.write(Data("kyc-webhooks-ack-before-commit: \(error)\n".utf8))
    exit(1)
}
let signals = DispatchQueue(label: "kyc-webhooks-ack-before-commit.signals")
let sources = [SIGTERM, SIGINT].map { number in
    signal(number, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: number, queue: signals)
    source.setEventHandler { app.shutdown() }
    source.resume()
    return source
}
FileHandle.standardOutput.write(Data("listening on http://\(configuration.server.host):\(app.port)\n".utf8))
try await app.run()
for source in sources { source.cancel() }
