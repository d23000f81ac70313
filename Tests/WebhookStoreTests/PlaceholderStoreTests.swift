import Testing

@Suite struct PlaceholderStoreTests {
    @Test func packageBuilds() { #expect(1 + 1 == 2) }
}
