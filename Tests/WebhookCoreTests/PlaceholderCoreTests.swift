import Testing

@Suite struct PlaceholderCoreTests {
    @Test func packageBuilds() { #expect(1 + 1 == 2) }
}
