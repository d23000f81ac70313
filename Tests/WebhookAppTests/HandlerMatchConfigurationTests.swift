import Testing
import WebhookApp

/// A handler's `match` as `check-config` judges it: what can never match is an error, what matches no
/// documented event is a warning (Gu1 adds families), a valid match says nothing.
@Suite struct HandlerMatchConfigurationTests {
    /// Errors and warnings, in that order.
    static func problems(_ match: String) -> [ConfigurationProblem] {
        let result = ConfigurationFixtures.parse(
            #"{"routes": [\#(ConfigurationFixtures.gu1Route)], "handlers": [{"name": "l", "type": "log", "match": \#(match)}]}"#
        )
        return result.problems + result.warnings
    }

    @Test func validMatchesHaveNoProblems() {
        #expect(Self.problems(#"{"types": ["kyc.*", "biometric.session_approved"]}"#).isEmpty)
        #expect(Self.problems(#"{"sources": ["argos", "gu1.kyc"], "outcomes": ["approved", "aml_screened"]}"#).isEmpty)
        #expect(Self.problems(#"{}"#).isEmpty)
    }

    @Test func whatCanNeverMatchIsAnErrorAtItsPath() {
        let problems = Self.problems(#"{"sources": ["gu1", "stripe", "gu1.kyc"], "outcomes": ["approved", "aproved"]}"#)
        #expect(problems.allSatisfy { $0.severity == .error })
        #expect(
            Set(problems.map(\.path))
                == [
                    "$.handlers[0].match.sources[0]", "$.handlers[0].match.sources[1]",
                    "$.handlers[0].match.outcomes[1]",
                ]
        )
        #expect(Self.problems(#"{"types": [""]}"#).map(\.severity) == [.error])
        #expect(Self.problems(#"{"sources": ["gu1.*"]}"#).map(\.severity) == [.error])
    }

    @Test func anUnknownFamilyAndFiltersNoEventPassesTogetherAreWarnings() {
        let unknownFamily = Self.problems(#"{"types": ["widget.*"]}"#)
        #expect(unknownFamily.map(\.severity) == [.warning])
        #expect(unknownFamily.map(\.path) == ["$.handlers[0].match.types[0]"])
        let incompatible = Self.problems(#"{"types": ["kyc.*"], "sources": ["argos"]}"#)
        #expect(incompatible.map(\.severity) == [.warning])
        #expect(incompatible.map(\.path) == ["$.handlers[0].match"])
    }
}
