import Foundation
internal import Glibc
import Synchronization
import SystemSupport
import WebhookCore

/// Writes each record as one JSON object on one line, by default to standard error (CONTRIBUTING.md rule 40).
///
/// The keys are `time` (ISO 8601 UTC with milliseconds), `level`, `message`, `label`, then the metadata keys
/// sorted (`http.route`, `http.status`, `request.id`, `webhook.key`, `webhook.type`, …). A metadata key that
/// collides with one of the first four is written as `metadata.<key>`. Keys denied by
/// ``LogMetadataPolicy`` are dropped with their values, and `log.dropped_keys` says how many were.
/// Metadata values longer than ``maximumValueBytes`` are cut (on a character boundary) and end in `…`.
///
/// ```json
/// {"time":"2026-11-22T03:28:56.123Z","level":"info","message":"Event recorded","label":"kyc-webhooks",
///  "http.route":"/webhooks/gu1","request.id":"7f3a"}
/// ```
///
/// (shown on two lines here; written as one).
///
/// Each line is built in one buffer and written with one `write(2)` while holding the sink's lock, so lines
/// from several threads never interleave (a short write is finished under the same lock). A write error
/// drops the line: logging never blocks the request path on a broken stderr and never crashes.
public struct JSONLineLogHandler: LogHandler {
    /// Metadata values are cut to at most this many UTF-8 bytes.
    public static let maximumValueBytes = 2048

    private let sink: @Sendable ([UInt8]) -> Void

    /// A handler writing to a file descriptor (standard error by default) that the caller keeps open.
    ///
    /// - Parameters:
    ///   - fileDescriptor: where lines go; `STDERR_FILENO` (2) by default.
    public init(fileDescriptor: Int32 = 2) {
        // Every handler on standard error shares one writer (one lock), so that even two handlers never
        // interleave their lines there.
        let writer =
            fileDescriptor == 2
            ? FileDescriptorLineWriter.standardError : FileDescriptorLineWriter(fileDescriptor: fileDescriptor)
        self.sink = { line in writer.write(line) }
    }

    /// A handler handing each complete line (ending with `\n`) to `sink`, for tests or custom transports.
    /// The sink is called once per record, from the logging thread.
    public init(sink: @escaping @Sendable (_ line: [UInt8]) -> Void) {
        self.sink = sink
    }

    public func log(_ record: LogRecord) {
        sink(Self.encode(record))
    }

    // MARK: - Encoding

    /// The record as one JSON line, ending with `\n`, metadata filtered by ``LogMetadataPolicy``.
    public static func encode(_ record: LogRecord) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(160 + record.message.utf8.count + record.metadata.count * 48)
        line.append(contentsOf: #"{"time":""#.utf8)
        appendTimestamp(record.time.timeIntervalSince1970, to: &line)
        line.append(contentsOf: #"","level":""#.utf8)
        line.append(contentsOf: record.level.name.utf8)
        line.append(contentsOf: #"","message":"#.utf8)
        appendJSONString(record.message, to: &line)
        line.append(contentsOf: #","label":"#.utf8)
        appendJSONString(record.label, to: &line)

        var dropped = 0
        for key in record.metadata.keys.sorted() {
            if LogMetadataPolicy.isDenied(key: key) {
                dropped += 1
                continue
            }
            line.append(UInt8(ascii: ","))
            switch key {
            case "time", "level", "message", "label", LogMetadataPolicy.droppedKeysKey:
                appendJSONString("metadata." + key, to: &line)
            default:
                appendJSONString(key, to: &line)
            }
            line.append(UInt8(ascii: ":"))
            appendJSONString(truncated(record.metadata[key] ?? ""), to: &line)
        }
        if dropped > 0 {
            line.append(UInt8(ascii: ","))
            appendJSONString(LogMetadataPolicy.droppedKeysKey, to: &line)
            line.append(UInt8(ascii: ":"))
            line.append(contentsOf: String(dropped).utf8)
        }
        line.append(contentsOf: "}\n".utf8)
        return line
    }

    /// Appends `value` as a JSON string: quotes, backslash and control characters escaped (RFC 8259 §7),
    /// and U+2028/U+2029 too, so that a line is also a valid JavaScript literal. Other characters are copied
    /// as UTF-8.
    static func appendJSONString(_ value: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            // Works on UTF-8 bytes: a Swift string is valid UTF-8, so bytes >= 0x80 are copied as they are,
            // except the three-byte sequences of U+2028 and U+2029 (E2 80 A8, E2 80 A9).
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""): output.append(contentsOf: #"\""#.utf8)
                case UInt8(ascii: "\\"): output.append(contentsOf: #"\\"#.utf8)
                case 0x0A: output.append(contentsOf: #"\n"#.utf8)
                case 0x0D: output.append(contentsOf: #"\r"#.utf8)
                case 0x09: output.append(contentsOf: #"\t"#.utf8)
                case 0x08: output.append(contentsOf: #"\b"#.utf8)
                case 0x0C: output.append(contentsOf: #"\f"#.utf8)
                case 0x00..<0x20, 0x7F: appendUnicodeEscape(UInt32(byte), to: &output)
                case 0xE2
                where index + 2 < bytes.count && bytes[index + 1] == 0x80
                    && (bytes[index + 2] == 0xA8 || bytes[index + 2] == 0xA9):
                    appendUnicodeEscape(bytes[index + 2] == 0xA8 ? 0x2028 : 0x2029, to: &output)
                    index += 2
                default: output.append(byte)
                }
                index += 1
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func appendUnicodeEscape(_ value: UInt32, to output: inout [UInt8]) {
        output.append(contentsOf: #"\u"#.utf8)
        for shift in stride(from: 12, through: 0, by: -4) {
            let nibble = UInt8(truncatingIfNeeded: (value >> UInt32(shift)) & 0xF)
            output.append(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
        }
    }

    /// `value` cut to at most ``maximumValueBytes`` UTF-8 bytes on a character boundary, plus `…`.
    private static func truncated(_ value: String) -> String {
        guard value.utf8.count > maximumValueBytes else { return value }
        var kept = 0
        var end = value.startIndex
        for index in value.indices {
            let next = value.index(after: index)
            let size = value.utf8.distance(from: index, to: next)
            if kept + size > maximumValueBytes - 3 { break }
            kept += size
            end = next
        }
        return String(value[..<end]) + "…"
    }

    /// Appends `YYYY-MM-DDTHH:MM:SS.mmmZ` for seconds since 1970, in UTC, without a formatter.
    static func appendTimestamp(_ secondsSince1970: Double, to output: inout [UInt8]) {
        // Dates beyond years 0...9999 do not fit the format (and would overflow Int64): clamp them.
        let finite = secondsSince1970.isNaN ? 0 : secondsSince1970
        let clamped = min(max(finite, -62_167_219_200), 253_402_300_799.999)
        // To the nearest millisecond: `1700000000.123` is stored as `…0.12299999`, which must print `.123`.
        let milliseconds = Int64((clamped * 1000).rounded(.toNearestOrAwayFromZero))
        let (days, millisecondOfDay) = CivilCalendar.floorDivision(milliseconds, 86_400_000)
        let (year, month, day) = CivilCalendar.date(fromDays: Int(days))
        appendDigits(Int64(year), count: 4, to: &output)
        output.append(UInt8(ascii: "-"))
        appendDigits(Int64(month), count: 2, to: &output)
        output.append(UInt8(ascii: "-"))
        appendDigits(Int64(day), count: 2, to: &output)
        output.append(UInt8(ascii: "T"))
        appendDigits(millisecondOfDay / 3_600_000, count: 2, to: &output)
        output.append(UInt8(ascii: ":"))
        appendDigits(millisecondOfDay / 60_000 % 60, count: 2, to: &output)
        output.append(UInt8(ascii: ":"))
        appendDigits(millisecondOfDay / 1000 % 60, count: 2, to: &output)
        output.append(UInt8(ascii: "."))
        appendDigits(millisecondOfDay % 1000, count: 3, to: &output)
        output.append(UInt8(ascii: "Z"))
    }

    private static func appendDigits(_ value: Int64, count: Int, to output: inout [UInt8]) {
        // Years outside 0...9999 cannot be written in this format; clamp instead of printing garbage.
        // The last `count` digits, most significant first, straight into `output` (this runs for every request:
        // receive times are written this way).
        let clamped = min(max(value, 0), 9999)
        var divisor: Int64 = 1
        for _ in 1..<max(count, 1) { divisor *= 10 }
        while divisor > 0 {
            output.append(UInt8(ascii: "0") + UInt8(clamped / divisor % 10))
            divisor /= 10
        }
    }
}

/// Writes whole lines to a file descriptor it does not own, one line at a time.
///
/// `Sendable` through its `Mutex`: the lock is held for the `write(2)` of one line (and the rest of it after
/// a short write), so lines from several threads never interleave.
final class FileDescriptorLineWriter: Sendable {
    /// The process's one writer for file descriptor 2.
    static let standardError = FileDescriptorLineWriter(fileDescriptor: 2)

    private let fileDescriptor: Int32
    private let lock = Mutex<Void>(())

    init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    func write(_ line: [UInt8]) {
        lock.withLock { _ in
            line.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let result = try? syscall("write(log)") {
                        Glibc.write(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    }
                    // EAGAIN, EPIPE, EBADF…: drop the rest of the line rather than block or crash.
                    guard case .value(let written)? = result, written > 0 else { return }
                    offset += written
                }
            }
        }
    }
}
