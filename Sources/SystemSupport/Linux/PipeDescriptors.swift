internal import CLinux
import Glibc

/// The two descriptors of a new pipe, both close-on-exec.
package struct PipeDescriptors: Sendable {
    /// The end to read from.
    package var readEnd: Int32
    /// The end to write to.
    package var writeEnd: Int32

    /// Creates a pipe with `pipe2(O_CLOEXEC)`.
    ///
    /// Close-on-exec from the start, so a child that another thread spawns at the same moment never inherits
    /// it; a child that should get an end receives it through a `dup2` (`posix_spawn_file_actions_adddup2`),
    /// which clears the flag on the copy. With `pipe` and a later `fcntl(FD_CLOEXEC)`, only a process-wide lock
    /// around every pipe and spawn could close that window. The caller closes both ends.
    ///
    /// - Throws: ``SystemError`` (`EMFILE` when out of descriptors).
    package init() throws(SystemError) {
        var descriptors: (Int32, Int32) = (-1, -1)
        _ = try withUnsafeMutableBytes(of: &descriptors) { (raw) throws(SystemError) in
            let pointer = raw.baseAddress!.assumingMemoryBound(to: Int32.self)
            return try syscallValue("pipe2") { CLinux_pipe2(pointer, O_CLOEXEC) }
        }
        readEnd = descriptors.0
        writeEnd = descriptors.1
    }
}
