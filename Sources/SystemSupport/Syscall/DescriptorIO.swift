import Glibc

/// Whole reads and writes on a blocking descriptor (a pipe, a file, standard input), through ``syscall(_:_:)``.
///
/// Foundation's `FileHandle.readDataToEndOfFile()`, `availableData` and `write(_:)` trap (`try!`) when a call
/// fails with `EINTR`. In a process that spawns children through Foundation's `Process`, `SIGCHLD` has a
/// handler installed by libdispatch, so any thread's blocking `read` can be interrupted: the test process once
/// died that way in CI. Every pipe the project reads or writes goes through these instead.
package enum DescriptorIO {
    /// Reads `descriptor` until end of file.
    ///
    /// - Throws: ``SystemError`` for a failed `read` (never for `EINTR`, which is retried).
    package static func readToEnd(_ descriptor: Int32) throws(SystemError) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = try syscallValue("read") {
                chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            }
            if count == 0 { return result }
            result.append(contentsOf: chunk[..<count])
        }
    }

    /// Writes all of `bytes` to `descriptor`, continuing after partial writes and `EINTR`.
    ///
    /// - Throws: ``SystemError`` for a failed `write` (`EPIPE` when the reader has gone).
    package static func writeAll(_ bytes: [UInt8], to descriptor: Int32) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            offset += try syscallValue("write") {
                bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            }
        }
    }
}
