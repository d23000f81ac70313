import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What a child wrote to one pipe, read by a thread of its own until end of file.
final class OutputBuffer: @unchecked Sendable {
    // `data` and `isAtEndOfFile` are guarded by `condition`'s lock.
    private let condition = NSCondition()
    private var data = Data()
    private var isAtEndOfFile = false

    /// Starts the thread that reads `handle` until end of file (it keeps `handle` open until then).
    func startReading(_ handle: FileHandle) {
        let thread = Thread { [self] in
            let descriptor = handle.fileDescriptor
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                condition.lock()
                data.append(contentsOf: chunk[..<count])
                condition.unlock()
            }
            condition.lock()
            isAtEndOfFile = true
            condition.broadcast()
            condition.unlock()
            withExtendedLifetime(handle) {}
        }
        thread.stackSize = 1 << 18
        thread.start()
    }

    /// What was read so far, as UTF-8 text.
    var text: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: data, as: UTF8.self)
    }

    /// Waits until the pipe's end of file, or at most `timeout` seconds (nil: however long it takes).
    func waitForEndOfFile(timeout: Double? = nil) {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        condition.lock()
        while !isAtEndOfFile {
            if let deadline {
                guard condition.wait(until: deadline) else { break }
            } else {
                condition.wait()
            }
        }
        condition.unlock()
    }
}
