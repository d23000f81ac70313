import Glibc

/// Creates the database's folder (0700) and file (0600) before SQLite opens it.
///
/// Modes are set with `chmod`/`fchmod` after creation, so a permissive umask cannot widen them. An existing
/// folder or file is left as the operator made it. SQLite gives the `-wal` and `-shm` files the main file's mode.
enum DatabaseFile {
    /// Whether anything exists at `path` (a file, or something that is not one and will fail to open).
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Creates a new database at `path` whole or not at all: `initialize` builds it in a temporary file beside
    /// it (mode 0600, folders 0700), which is synced and then linked into place. So a crash while creating
    /// leaves no half-made store at `path` (which the next start would have to refuse), and two processes
    /// creating it at once end with one of the two files. `initialize` must close what it opened.
    static func create(path: String, initialize: (String) throws -> Void) throws {
        try createFolders(of: path)
        let temporary = "\(path).creating-\(getpid())"
        removeWithCompanions(temporary)
        try prepare(path: temporary)
        do {
            try initialize(temporary)
            try sync(temporary)
            if link(temporary, path) != 0 && errno != EEXIST {
                throw StoreFileError(operation: "link", path: path, errno: errno)
            }
        } catch {
            removeWithCompanions(temporary)
            throw error
        }
        removeWithCompanions(temporary)
        try sync(parentOf: path)
    }

    private static func removeWithCompanions(_ path: String) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            _ = unlink(path + suffix)
        }
    }

    private static func sync(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreFileError(operation: "open", path: path, errno: errno) }
        defer { _ = Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw StoreFileError(operation: "fsync", path: path, errno: errno) }
    }

    private static func sync(parentOf path: String) throws {
        let parent = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        try sync(parent.isEmpty ? "/" : parent)
    }

    static func prepare(path: String) throws {
        try createFolders(of: path)
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 {
            defer { _ = Glibc.close(fd) }
            guard fchmod(fd, 0o600) == 0 else {
                throw StoreFileError(operation: "fchmod", path: path, errno: errno)
            }
        } else if errno != EEXIST {
            throw StoreFileError(operation: "open", path: path, errno: errno)
        }
    }

    /// Creates each missing folder on the way to `path`'s parent, mode 0700.
    private static func createFolders(of path: String) throws {
        guard let slash = path.lastIndex(of: "/") else { return }
        let parent = String(path[..<slash])
        guard !parent.isEmpty else { return }
        var prefix = path.hasPrefix("/") ? "" : nil as String?
        for component in parent.split(separator: "/", omittingEmptySubsequences: true) {
            let folder = prefix.map { "\($0)/\(component)" } ?? String(component)
            prefix = folder
            if component == "." || component == ".." { continue }
            if mkdir(folder, 0o700) == 0 {
                guard chmod(folder, 0o700) == 0 else {
                    throw StoreFileError(operation: "chmod", path: folder, errno: errno)
                }
            } else if errno != EEXIST {
                throw StoreFileError(operation: "mkdir", path: folder, errno: errno)
            }
        }
    }
}
