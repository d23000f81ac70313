import Testing

@Suite struct PlaceholderCryptoTests {
    @Test func packageBuilds() { #expect(1 + 1 == 2) }
}
