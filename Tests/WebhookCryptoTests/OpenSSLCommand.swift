import Foundation
import WebhookTesting

/// Runs the `openssl` command-line tool for cross-checks: an independent implementation of the same algorithms.
///
/// Inputs go through a fresh temporary file; the command's stdout is returned. openssl is installed on the
/// development machine and in CI.
enum OpenSSLCommand {
    struct Failure: Error, CustomStringConvertible {
        let arguments: [String]
        let status: Int32
        var description: String { "openssl \(arguments.joined(separator: " ")) exited with \(status)" }
    }

    /// Runs `openssl arguments… FILE` with `input` written to FILE, and returns stdout.
    static func run(_ arguments: [String], input: [UInt8]) throws -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("webhook-crypto-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("input.bin")
        try Data(input).write(to: file)

        let result = try ChildProcess.run(command: "openssl", arguments + [file.path])
        guard result.status == 0 else {
            throw Failure(arguments: arguments, status: result.status)
        }
        return result.standardOutputBytes
    }

    /// The hex digest printed by `openssl dgst … -r FILE` (the first field of `<hex> *FILE`).
    static func digestHex(_ arguments: [String], input: [UInt8]) throws -> String {
        let output = try run(["dgst"] + arguments + ["-r"], input: input)
        let text = String(decoding: output, as: UTF8.self)
        return String(text.prefix { $0 != " " })
    }
}

/// A small deterministic generator (SplitMix64) so a failing random case can be reproduced from its seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &self) }
    }
}
