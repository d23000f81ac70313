import Testing
import WebhookCore
import WebhookTesting

/// The built-in samples for `send` cover every documented type and decode to their own type.
@Suite struct SampleEventsTests {
    static let context = DecodeContext(route: "/r", receivedAt: "2026-11-22T10:00:00.000Z")

    @Test("decodes to its own type", arguments: SampleEvents.allTypes)
    func sampleDecodesToItsType(type: String) throws {
        let body = try #require(SampleEvents.body(for: type))
        let event =
            SampleEvents.sender(ofType: type) == "argos"
            ? try ArgosDecoder.decode(body: body, context: Self.context)
            : try Gu1Decoder.decode(body: body, context: Self.context)
        #expect(event.type == type)
        #expect(event.source == SampleEvents.source(ofType: type))
        #expect(event.outcome == SampleEvents.outcome(ofType: type))
        #expect(event.outcome != .unknown)
    }

    @Test func everyFixtureTypeHasASampleWithTheSameBody() throws {
        let types = Set(SampleEvents.allTypes)
        #expect(types.count == SampleEvents.allTypes.count)
        for fixture in try Fixtures.all() where !fixture.isEncrypted {
            #expect(types.contains(fixture.expected.type))
            if !fixture.name.hasPrefix("gu1-kyc-validationId/") {
                #expect(SampleEvents.body(for: fixture.expected.type) == fixture.body, "\(fixture.name)")
            }
        }
        #expect(types.contains("transaction.updated"))
        #expect(SampleEvents.body(for: "no.such_type") == nil)
    }
}
