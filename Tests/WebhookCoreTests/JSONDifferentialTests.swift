import Foundation
import Testing
import WebhookCore
import WebhookTesting

/// The scanner agrees with Foundation's JSON parser on mutated fixture bodies (a small, seeded differential).
@Suite struct JSONDifferentialTests {
    /// A deterministic generator, so a failure reproduces.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let alphabet =
        Array(#"{}[]:,"\ 0123456789-+.eEtrufalsn/u"#.utf8) + [0x00, 0x0A, 0x1F, 0x80, 0xC3, 0xA9, 0xFF]

    @Test func agreesWithFoundationOnMutatedBodies() throws {
        var generator = SplitMix(state: 0x5EED)
        let bodies = try ["gu1-kyc/approved.json", "argos/approved.json", "gu1-biometric/created.json"]
            .map { try Fixtures.load($0).body }
        var disagreements: [String] = []
        var accepted = 0
        for round in 0..<1500 {
            var body = bodies[round % bodies.count]
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let index = Int.random(in: 0..<body.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: body.remove(at: index)
                case 1: body.insert(Self.alphabet.randomElement(using: &generator)!, at: index)
                default: body[index] = Self.alphabet.randomElement(using: &generator)!
                }
            }
            let ours = (try? JSONDocument(parsing: body)) != nil
            let reference = (try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])) != nil
            if ours { accepted += 1 }
            if ours != reference {
                disagreements.append("round \(round): ours \(ours), Foundation \(reference)")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(5))")
        // Both outcomes are exercised: many mutations land inside strings and stay valid.
        #expect(accepted > 100 && accepted < 1400, "accepted \(accepted)")
    }
}
