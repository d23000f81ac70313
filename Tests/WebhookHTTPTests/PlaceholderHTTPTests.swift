import Testing

@Suite struct PlaceholderHTTPTests {
    @Test func packageBuilds() { #expect(1 + 1 == 2) }
}
