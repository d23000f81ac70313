/// Small pieces the stores share, so that both behave alike.

/// Handler names without repeats, in their first order: one delivery per handler.
func uniqueHandlers(_ handlers: [String]) -> [String] {
    var seen = Set<String>()
    return handlers.filter { seen.insert($0).inserted }
}

/// One line of `events list` with what sorts it, shared by the stores so that both order alike.
struct ListedRow {
    var receivedMilliseconds: Int64
    var isRejected: Bool
    /// Insertion order within its kind.
    var order: Int64
    var summary: EventSummary

    /// Newest first; at the same instant events before rejected bodies, then the later inserted first.
    static func newestFirst(_ rows: [ListedRow], limit: Int) -> [EventSummary] {
        let sorted = rows.sorted { a, b in
            if a.receivedMilliseconds != b.receivedMilliseconds {
                return a.receivedMilliseconds > b.receivedMilliseconds
            }
            if a.isRejected != b.isRejected { return !a.isRejected }
            return a.order > b.order
        }
        return sorted.prefix(limit).map(\.summary)
    }
}

/// The `rejected:<id>` keys under which rejected bodies are listed.
enum RejectedKey {
    static let prefix = "rejected:"

    static func key(_ id: Int64) -> String { prefix + String(id) }

    static func id(_ key: String) -> Int64? {
        guard key.hasPrefix(prefix) else { return nil }
        return Int64(key.dropFirst(prefix.count))
    }
}

/// Retention arithmetic shared by the stores.
enum Retention {
    static let dayMilliseconds: Int64 = 86_400_000
}

/// The due times of a bulk replay's deliveries (``Inbox/replay(matching:handler:now:spacing:dryRun:)``), and
/// how a store queues them.
enum ReplayPace {
    /// Queues `selected` in transactions of at most `batchSize`, pausing `pause` between them, the n-th due at
    /// `now + n × spacing`; `requeue` writes one batch (ids, due times) and returns how many it queued.
    static func queue(
        _ selected: [(id: Int64, isRunning: Bool)],
        from now: Int64,
        spacing: Duration,
        batchSize: Int,
        pause: Duration = .zero,
        requeue: ([(id: Int64, isRunning: Bool)], [Int64]) async throws -> Int
    ) async throws -> Int {
        let due = dueTimes(count: selected.count, from: now, spacing: spacing)
        var queued = 0
        var start = 0
        while start < selected.count {
            let end = min(start + batchSize, selected.count)
            queued += try await requeue(Array(selected[start..<end]), Array(due[start..<end]))
            start = end
            if start < selected.count && pause > .zero { try await Task.sleep(for: pause) }
        }
        return queued
    }

    /// `count` times from `now` (epoch milliseconds), `spacing` apart, rounded down to the millisecond.
    static func dueTimes(count: Int, from now: Int64, spacing: Duration) -> [Int64] {
        let (seconds, attoseconds) = spacing.components
        let microseconds = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        return (0..<count).map { now + Int64($0) * microseconds / 1000 }
    }
}

/// The bucket of a person id in the SQLite store's `event_people` (migration 7): FNV-1a over its UTF-8 bytes,
/// modulo ``count``. Stable across versions and machines (it is stored): never change it.
enum PersonBucket {
    static let count: UInt32 = 8

    static func of(_ value: String) -> Int64 {
        var hash: UInt32 = 2_166_136_261
        for byte in value.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return Int64(hash % count)
    }
}
