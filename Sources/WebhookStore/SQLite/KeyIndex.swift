import WebhookCrypto

/// The event keys the database holds, in memory, so that recording an event needs no on-disk index of keys.
///
/// Event keys are effectively random. A B-tree over them (SQLite's `UNIQUE`) gets each new key in a different
/// leaf, so every commit wrote about one more 4 KiB page per event, to the WAL and again at checkpoint: half
/// of all the bytes the store wrote. Here the `event_keys` table is appended in id order (a few pages per
/// commit whatever the keys), and the writer finds duplicates in this map.
///
/// Exact and shared with other processes:
/// - Each key is held as the first 128 bits of its SHA-256 (a collision among even billions of keys is far
///   less likely than a disk error) with its event id.
/// - In every write transaction that records events, before the first lookup, the map reads the rows
///   `event_keys` gained since it last looked (`id > lastID`; event ids are `AUTOINCREMENT`, never reused):
///   events another process committed. The transaction holds SQLite's write lock, so none can be committed
///   between that read and the commit.
/// - Changes made in a transaction are staged and applied only once it commits; a rolled-back batch (a full
///   disk) leaves the map as it was, so a retried event is not mistaken for a duplicate.
///
/// Loaded by ``preload(_:)`` when the daemon opens the store, else by the first write transaction that records
/// an event (the CLI, which only reads, never loads it).
/// Memory: about 50 bytes per key kept (`keyRetentionDays`); measured with a million keys: +55 MB of RSS and
/// 1.5 s to load. Confined to the writer thread.
final class KeyIndex {
    /// The first 128 bits of a key's SHA-256.
    struct Digest: Hashable {
        var high: UInt64
        var low: UInt64

        init(_ key: String) {
            let bytes = SHA256.hash(key.utf8)
            var high: UInt64 = 0
            var low: UInt64 = 0
            for index in 0..<8 {
                high = high << 8 | UInt64(bytes[index])
                low = low << 8 | UInt64(bytes[index + 8])
            }
            self.high = high
            self.low = low
        }
    }

    private var ids: [Digest: Int64] = [:]
    /// The highest `event_keys.id` read or written.
    private var lastID: Int64 = 0
    private var isLoaded = false
    /// Whether this transaction has read what other processes committed.
    private var isCaughtUp = false
    private var stagedInsertions: [Digest: Int64] = [:]
    private var stagedRemovals: Set<Digest> = []
    private var stagedLastID: Int64 = 0

    /// Keys held (for tests and metrics).
    var count: Int { ids.count }

    // MARK: Transactions

    /// Call when a write transaction begins.
    func transactionDidBegin() {
        isCaughtUp = false
        stagedInsertions.removeAll(keepingCapacity: true)
        stagedRemovals.removeAll(keepingCapacity: true)
        stagedLastID = lastID
    }

    /// Call once the transaction has committed: what it staged becomes the map's.
    func transactionDidCommit() {
        for digest in stagedRemovals {
            ids[digest] = nil
        }
        for (digest, id) in stagedInsertions {
            ids[digest] = id
        }
        lastID = max(lastID, stagedLastID)
        stagedInsertions.removeAll(keepingCapacity: true)
        stagedRemovals.removeAll(keepingCapacity: true)
        isCaughtUp = false
    }

    /// Call when the transaction rolled back: nothing it staged happened.
    func transactionDidRollBack() {
        stagedInsertions.removeAll(keepingCapacity: true)
        stagedRemovals.removeAll(keepingCapacity: true)
        stagedLastID = lastID
        isCaughtUp = false
    }

    // MARK: Lookups and changes (inside a write transaction)

    /// The id of the event recorded under `key`, if any, counting this transaction's own insertions, and the
    /// key's digest (for ``inserted(_:id:)``).
    func lookUp(_ key: String, _ connection: SQLiteConnection) throws -> (digest: Digest, eventID: Int64?) {
        try catchUp(connection)
        let digest = Digest(key)
        if let id = stagedInsertions[digest] { return (digest, id) }
        if stagedRemovals.contains(digest) { return (digest, nil) }
        return (digest, ids[digest])
    }

    /// Notes that the key with this digest was recorded as event `id` in this transaction.
    func inserted(_ digest: Digest, id: Int64) {
        stagedInsertions[digest] = id
        stagedLastID = max(stagedLastID, id)
    }

    /// Notes that the events with these keys were deleted in this transaction.
    func deleted(_ keys: [String]) {
        for key in keys {
            let digest = Digest(key)
            stagedInsertions[digest] = nil
            stagedRemovals.insert(digest)
        }
    }

    /// Reads the keys now, so that the first event recorded after a start does not wait for them. Any
    /// transaction (a read one will do); the first recording transaction then reads only what was added since.
    func preload(_ connection: SQLiteConnection) throws {
        try catchUp(connection)
        isCaughtUp = false
    }

    /// Reads every key on first use, then, once per transaction, the keys other processes added since.
    private func catchUp(_ connection: SQLiteConnection) throws {
        guard !isCaughtUp else { return }
        if !isLoaded {
            ids.removeAll()
            lastID = 0
        }
        // Row by row into the map (no array of every key on the way: a store may hold millions).
        _ = try connection.statement("SELECT id, key FROM event_keys WHERE id > ? ORDER BY id")
            .query([.integer(lastID)]) { row in
                let id = row.int64(0)
                ids[Digest(row.text(1) ?? "")] = id
                lastID = max(lastID, id)
            }
        stagedLastID = max(stagedLastID, lastID)
        isLoaded = true
        isCaughtUp = true
    }
}
