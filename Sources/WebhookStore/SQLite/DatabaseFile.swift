import Glibc

/// Creates the database's folder (0700) and file (0600) before SQLite opens it.
///
/// Modes are set with `chmod`/`fchmod` after creation, so a permissive umask cannot widen them. An existing
/// folder or file is left as the operator made it. SQLite gives the `-wal` and `-shm` files the main file's mode.
enum DatabaseFile {
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
