import Foundation
import Glibc
public import WebhookCore

/// The built-in `file` handler: appends the event JSON as one line to `path`, on disk before it succeeds (docs/reference.md §6).
///
/// Each attempt opens the file with `O_APPEND` (so a file moved away by log rotation is created anew, and a path
/// fixed by the operator works on the next retry), writes the line in one `write` call, `fsync`s, and closes.
/// A missing file is created with mode 0600 and missing parent directories with 0700 (the lines hold personal
/// data), and the directory is synced after a creation so the new name survives a crash too.
///
/// Writers of one path are serialized on one I/O queue for the whole process, so lines never interleave, and
/// the blocking calls never run on the async pool. If a write fails part-way (disk full), the file is truncated
/// back to its size before the attempt, so a retry never leaves half a line behind.
/// (Another process appending to the same file at the same time is not coordinated with.)
public struct FileEventHandler: WebhookHandler {
    /// The file appended to, as configured.
    public let path: String

    /// - Parameter path: the file to append to (relative paths are relative to the working directory).
    public init(path: String) {
        self.path = path
    }

    public func handle(_ event: WebhookEvent, context: HandlerContext) async throws {
        let line = context.eventJSON + [UInt8(ascii: "\n")]
        let path = self.path
        let key = URL(fileURLWithPath: path).standardizedFileURL.path
        try await SerialIOQueue.shared(for: "file:\(key)").run { try Self.append(line, to: path) }
    }

    /// Appends `line` to `path` and syncs it; runs on the path's I/O queue.
    private static func append(_ line: [UInt8], to path: String) throws {
        let (fd, isCreated) = try open(path)
        defer { close(fd) }

        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("fstat", path, errno) }
        if let code = SerialIOQueue.writeAll(line, to: fd) {
            _ = ftruncate(fd, info.st_size)
            throw failure("write", path, code)
        }
        guard fsync(fd) == 0 else { throw failure("fsync", path, errno) }
        if isCreated { syncDirectory(of: path) }
    }

    /// Opens `path` for appending, creating it (0600) and its parent directories (0700) when missing.
    private static func open(_ path: String) throws -> (fd: Int32, isCreated: Bool) {
        let flags = O_WRONLY | O_APPEND | O_CLOEXEC
        let fd = Glibc.open(path, flags)
        if fd >= 0 { return (fd, false) }
        guard errno == ENOENT else { throw failure("open", path, errno) }

        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory,
                    withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700]
                )
            } catch {
                throw HandlerError(
                    .io,
                    message: "file: cannot create the directory of \(path): \(describe(error))"
                )
            }
        }
        let created = Glibc.open(path, flags | O_CREAT | O_EXCL, 0o600)
        if created >= 0 { return (created, true) }
        if errno == EEXIST {
            // Created by someone else in between: append to theirs.
            let existing = Glibc.open(path, flags)
            if existing >= 0 { return (existing, false) }
        }
        throw failure("open", path, errno)
    }

    /// Makes a new directory entry durable (best effort: some file systems refuse `fsync` on directories).
    private static func syncDirectory(of path: String) {
        var directory = (path as NSString).deletingLastPathComponent
        if directory.isEmpty { directory = "." }
        let fd = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    private static func failure(_ operation: String, _ path: String, _ code: Int32) -> HandlerError {
        HandlerError(
            .io,
            message: "file: \(operation) \(path) failed: \(HandlerError.describe(errno: code))"
        )
    }

    private static func describe(_ error: any Error) -> String {
        if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError,
            underlying.domain == NSPOSIXErrorDomain
        {
            return HandlerError.describe(errno: Int32(underlying.code))
        }
        return (error as NSError).localizedDescription
    }
}
