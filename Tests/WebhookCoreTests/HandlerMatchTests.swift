import Foundation
import Testing
import WebhookCore

/// Handler matching (docs/reference.md §6) and the check-config diagnosis of matches that can never fire.
@Suite struct HandlerMatchTests {
    static func event(type: String, source: String, outcome: Outcome) -> WebhookEvent {
        WebhookEvent(
            key: type + ":s",
            source: source,
            type: type,
            outcome: outcome,
            subjectId: "s",
            receivedAt: "2026-11-22T10:00:00.000Z",
            route: "/r",
            payload: .null
        )
    }

    static let kycApproved = event(type: "kyc.validation_approved", source: "gu1.kyc", outcome: .approved)
    static let bioApproved = event(type: "biometric.session_approved", source: "gu1.biometric", outcome: .approved)
    static let argosApproved = event(type: "argos.approved", source: "argos", outcome: .approved)
    static let kycRejected = event(type: "kyc.validation_rejected", source: "gu1.kyc", outcome: .rejected)

    @Test func emptyOrMissingFiltersMatchEverything() {
        for match in [HandlerMatch(), HandlerMatch(types: [], sources: [], outcomes: [])] {
            #expect(match.matches(Self.kycApproved))
            #expect(match.matches(Self.argosApproved))
        }
    }

    @Test func outcomeMatchesAcrossSenders() {
        let match = HandlerMatch(outcomes: ["approved"])
        #expect(match.matches(Self.kycApproved))
        #expect(match.matches(Self.bioApproved))
        #expect(match.matches(Self.argosApproved))
        #expect(!match.matches(Self.kycRejected))
    }

    @Test func allGivenFiltersMustMatch() {
        let match = HandlerMatch(
            types: ["kyc.*", "biometric.session_approved"],
            sources: ["gu1.kyc", "gu1.biometric"],
            outcomes: ["approved"]
        )
        #expect(match.matches(Self.kycApproved))
        #expect(match.matches(Self.bioApproved))
        #expect(!match.matches(Self.kycRejected))
        #expect(!match.matches(Self.argosApproved))
        #expect(!HandlerMatch(types: ["kyc.*"], sources: ["argos"]).matches(Self.kycApproved))
    }

    static let globs: [(String, String, Bool)] = [
        ("kyc.*", "kyc.validation_approved", true),
        ("kyc.*", "kyc.", true),
        ("kyc.*", "kycx.validation_approved", false),
        ("*", "anything.at_all", true),
        ("*.session_approved", "biometric.session_approved", true),
        ("*approved", "argos.approved", true),
        ("*approved", "argos.approved_not", false),
        ("k*c.*_a*d", "kyc.validation_approved", true),
        ("argos.approved", "argos.approved", true),
        ("argos.approved", "argos.approve", false),
        ("a**b", "ab", true),
        ("", "", true),
        ("", "a", false),
    ]

    @Test("glob", arguments: globs)
    func glob(pattern: String, text: String, expected: Bool) {
        #expect(HandlerMatch.glob(pattern, matches: text) == expected)
    }

    @Test func staleFilterSelectsByTheFlag() {
        var stale = Self.kycApproved
        stale.stale = true
        #expect(HandlerMatch(stale: false).matches(Self.kycApproved))
        #expect(!HandlerMatch(stale: false).matches(stale))
        #expect(HandlerMatch(stale: true).matches(stale))
        #expect(!HandlerMatch(stale: true).matches(Self.kycApproved))
        #expect(HandlerMatch().matches(stale))
        #expect(!HandlerMatch(outcomes: ["approved"], stale: false).matches(stale))
    }
}
