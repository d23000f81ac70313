import Synchronization
import SystemSupport

/// Copies the WAL into the database file mostly on a thread of its own, so that commits rarely wait for it.
///
/// With SQLite's automatic checkpoint, the commit that takes the WAL past 1000 pages also copies every page
/// and fsyncs the database file before it returns, so every record waiting on that commit (and those queued
/// behind it) waits several milliseconds more: most of the writer's tail latency. Here:
///
/// 1. The writer's connection reports the WAL's size after each commit (``WALObserver``); at `pages` frames
///    this thread runs a `PASSIVE` checkpoint on its own connection, which copies the frames without ever
///    blocking the writer, and records how far it got.
/// 2. Between two batches, the writer calls ``writerIsBetweenTransactions(_:)``: once the bulk is copied, it
///    runs a passive checkpoint itself, which copies only the frames committed meanwhile. Because nothing
///    is committed between that checkpoint and the writer's next transaction, that transaction starts the
///    WAL again from its beginning (a checkpoint on another thread races the writer and rarely lets it).
/// 3. If the WAL still reaches `pages × 8` (this thread starved of CPU), the writer checkpoints it all
///    itself, as SQLite's automatic checkpoint would have.
///
/// A failed checkpoint (another process's, a full disk) is not an error for anyone: the frames stay in the
/// WAL, readable and durable, and the next checkpoint tries again.
final class InboxCheckpointer: WALObserver, @unchecked Sendable {
    /// Set to wake the thread, cleared by it when it wakes.
    private let wakeup = ConditionLock(false)
    /// Set once the thread has closed its connection and is about to exit.
    private let exited = ConditionLock(false)
    private let isClosing = Atomic<Bool>(false)
    private let hasStarted = Atomic<Bool>(false)
    /// Frames in the WAL after the writer's last commit.
    private let walFrames = Atomic<Int>(0)
    /// Set by this thread when its checkpoint copied every frame it saw; cleared by the writer's checkpoint.
    private let isBulkCopied = Atomic<Bool>(false)
    /// Set from the wake-up until the writer's checkpoint, so that commits meanwhile do not wake it again.
    private let isCheckpointing = Atomic<Bool>(false)
    private let checkpoints = Atomic<Int>(0)
    private let writerCheckpoints = Atomic<Int>(0)
    private let pages: Int
    private let writerCheckpointPages: Int
    /// The frames left for the writer's finishing checkpoint: a few milliseconds of copying at most.
    private let finishingPages: Int
    /// Used only by the checkpointer thread once started (hence `@unchecked Sendable`).
    private let connection: SQLiteConnection

    /// - Parameters:
    ///   - connection: a connection of its own to the inbox's file, in WAL mode.
    ///   - pages: the WAL size that starts a checkpoint (SQLite's automatic checkpoint uses 1000).
    init(connection: SQLiteConnection, pages: Int) {
        self.connection = connection
        self.pages = max(1, pages)
        writerCheckpointPages = max(1, pages) * 8
        finishingPages = max(1, pages / 8)
    }

    /// Checkpoints this thread has run.
    var completedCheckpoints: Int { checkpoints.load(ordering: .relaxed) }

    /// Checkpoints the writer has run (the short finishing ones, and any it had to do in full).
    var writerCompletedCheckpoints: Int { writerCheckpoints.load(ordering: .relaxed) }

    func start(name: String) {
        guard hasStarted.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return }
        OSThread.start(name: name) { [self] in run() }
    }

    // MARK: On the writer's thread

    func walDidGrow(frames: Int) {
        walFrames.store(frames, ordering: .relaxed)
        guard frames >= pages else { return }
        if isCheckpointing.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged {
            wakeup.withLock { $0 = true }
        }
    }

    /// Finishes a checkpoint this thread has done the bulk of, or does a whole one when the WAL has grown
    /// past its bound. `connection` is the writer's, outside any transaction.
    func writerIsBetweenTransactions(_ connection: SQLiteConnection) {
        let isFinishing = isBulkCopied.load(ordering: .acquiring)
        guard isFinishing || walFrames.load(ordering: .relaxed) >= writerCheckpointPages else { return }
        guard (try? connection.checkpointPassively()) != nil else { return }
        writerCheckpoints.add(1, ordering: .relaxed)
        walFrames.store(0, ordering: .relaxed)
        isBulkCopied.store(false, ordering: .relaxed)
        isCheckpointing.store(false, ordering: .releasing)
    }

    // MARK: The thread

    /// Stops the thread after its current checkpoint and closes its connection; waits for that. Call after
    /// the writer has closed: as the last connection, its close copies what is left and removes the WAL.
    func close() {
        isClosing.store(true, ordering: .relaxed)
        wakeup.withLock { $0 = true }
        if hasStarted.load(ordering: .relaxed) {
            exited.wait(until: { $0 })
        } else {
            try? connection.close()
        }
    }

    /// Passive checkpoints until the frames committed since the last one are few (`pages / 8`; at most 16), so that the
    /// writer's finishing checkpoint is short. False when a checkpoint fails or cannot copy everything it saw.
    private func copyMostFrames() -> Bool {
        for _ in 0..<16 {
            guard let progress = try? connection.checkpointPassively() else { return false }
            checkpoints.add(1, ordering: .relaxed)
            guard progress.walFrames >= 0, progress.checkpointedFrames == progress.walFrames else { return false }
            let committedSince = walFrames.load(ordering: .relaxed) - progress.walFrames
            if committedSince <= finishingPages || isClosing.load(ordering: .relaxed) { break }
        }
        return true
    }

    private func run() {
        while true {
            wakeup.wait(until: { $0 }, then: { $0 = false })
            if isClosing.load(ordering: .relaxed) { break }
            if copyMostFrames() {
                isBulkCopied.store(true, ordering: .releasing)
            } else {
                // Nothing copied (busy, or an error): let the next commit past `pages` try again.
                isCheckpointing.store(false, ordering: .releasing)
            }
        }
        try? connection.close()
        exited.withLock { $0 = true }
    }
}
