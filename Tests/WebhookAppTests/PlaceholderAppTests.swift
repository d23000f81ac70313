import Testing

@Suite struct PlaceholderAppTests {
    @Test func packageBuilds() { #expect(1 + 1 == 2) }
}
