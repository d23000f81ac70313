import Foundation
import Glibc
import SystemSupport

/// What a child wrote to one pipe, read by a thread of its own until end of file.
final class OutputBuffer: Sendable {
    private struct State: Sendable {
        var data = Data()
        var isAtEndOfFile = false
    }

    private let state = ConditionLock(State())

    /// Starts the thread that reads `descriptor` until end of file, then closes it.
    func startReading(descriptor: Int32) {
        OSThread.start(name: "test-pipe-read", stackSize: 1 << 18) { [self] in
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                // syscall retries EINTR; another error ends the reading as end of file does.
                let result = try? syscall("read(pipe)") {
                    chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                }
                guard case .value(let count)? = result, count > 0 else { break }
                state.withLock { $0.data.append(contentsOf: chunk[..<count]) }
            }
            close(descriptor)
            state.withLock { $0.isAtEndOfFile = true }
        }
    }

    /// What was read so far.
    var bytes: [UInt8] {
        state.withLock { [UInt8]($0.data) }
    }

    /// What was read so far, as UTF-8 text.
    var text: String {
        state.withLock { String(decoding: $0.data, as: UTF8.self) }
    }

    /// Waits until the pipe's end of file, or at most `timeout` seconds (nil: however long it takes).
    func waitForEndOfFile(timeout: Double? = nil) {
        state.wait(until: { $0.isAtEndOfFile }, timeout: timeout.map { Duration.milliseconds(roundingSeconds: $0) })
    }
}
