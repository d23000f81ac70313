import Testing
import WebhookApp

@Suite struct ConfigurationCIDRTests {
    struct MembershipCase: CustomTestStringConvertible, Sendable {
        var cidr: String
        var address: String
        var isInside: Bool
        var testDescription: String { "\(cidr) \(isInside ? "contains" : "excludes") \(address)" }
    }

    static let membershipCases: [MembershipCase] = [
        MembershipCase(cidr: "203.0.113.0/24", address: "203.0.113.0", isInside: true),
        MembershipCase(cidr: "203.0.113.0/24", address: "203.0.113.255", isInside: true),
        MembershipCase(cidr: "203.0.113.0/24", address: "203.0.114.1", isInside: false),
        MembershipCase(cidr: "203.0.113.0/24", address: "203.0.112.255", isInside: false),
        MembershipCase(cidr: "10.0.0.0/8", address: "10.255.1.2", isInside: true),
        MembershipCase(cidr: "10.0.0.0/8", address: "11.0.0.1", isInside: false),
        MembershipCase(cidr: "192.168.4.0/22", address: "192.168.7.200", isInside: true),
        MembershipCase(cidr: "192.168.4.0/22", address: "192.168.8.1", isInside: false),
        MembershipCase(cidr: "127.0.0.1", address: "127.0.0.1", isInside: true),
        MembershipCase(cidr: "127.0.0.1", address: "127.0.0.2", isInside: false),
        MembershipCase(cidr: "127.0.0.1/32", address: "127.0.0.1", isInside: true),
        MembershipCase(cidr: "0.0.0.0/0", address: "198.51.100.7", isInside: true),
        MembershipCase(cidr: "0.0.0.0/0", address: "::1", isInside: false),
        MembershipCase(cidr: "::1/128", address: "::1", isInside: true),
        MembershipCase(cidr: "::1/128", address: "0:0:0:0:0:0:0:1", isInside: true),
        MembershipCase(cidr: "::1/128", address: "::2", isInside: false),
        MembershipCase(cidr: "::1", address: "::1", isInside: true),
        MembershipCase(cidr: "::1/128", address: "127.0.0.1", isInside: false),
        MembershipCase(cidr: "2001:db8::/32", address: "2001:db8:ffff::1", isInside: true),
        MembershipCase(cidr: "2001:db8::/32", address: "2001:DB9::1", isInside: false),
        MembershipCase(cidr: "2001:db8:abcd:12::/63", address: "2001:db8:abcd:13:ffff::", isInside: true),
        MembershipCase(cidr: "2001:db8:abcd:12::/63", address: "2001:db8:abcd:14::", isInside: false),
        MembershipCase(cidr: "fe80::/10", address: "fe80::1%eth0", isInside: true),
        MembershipCase(cidr: "::/0", address: "2001:db8::1", isInside: true),
        // A dual-stack socket reports IPv4 peers as IPv4-mapped IPv6 addresses.
        MembershipCase(cidr: "203.0.113.0/24", address: "::ffff:203.0.113.9", isInside: true),
        MembershipCase(cidr: "203.0.113.0/24", address: "::ffff:203.0.114.9", isInside: false),
        MembershipCase(cidr: "::ffff:0:0/96", address: "::ffff:198.51.100.1", isInside: true),
        // Text that is not an address is in no range.
        MembershipCase(cidr: "0.0.0.0/0", address: "not-an-address", isInside: false),
        MembershipCase(cidr: "0.0.0.0/0", address: "", isInside: false),
        MembershipCase(cidr: "0.0.0.0/0", address: "1.2.3", isInside: false),
    ]

    @Test("membership", arguments: membershipCases)
    func membership(_ testCase: MembershipCase) throws {
        let cidr = try #require(CIDR(testCase.cidr))
        #expect(cidr.contains(address: testCase.address) == testCase.isInside)
    }

    static let invalidTexts = [
        "", "/24", "203.0.113.0/", "203.0.113.0/33", "203.0.113.0/-1", "203.0.113.0/024", "203.0.113.0/ 24",
        "203.0.113.5/24", "256.0.0.0", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.4 ", " 1.2.3.4", "1..3.4",
        "::1/129", "::1/", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", ":1::", "fe80::1%eth0",
        "2001:db8::/16", "example.com", "g::1", "::ffff:1.2.3", "1.2.3.4::",
    ]

    @Test("refuses invalid text", arguments: invalidTexts)
    func refusesInvalid(_ text: String) {
        #expect(CIDR(text) == nil)
    }

    @Test func plainAddressesAreSingleAddressRanges() throws {
        let v4 = try #require(CIDR("198.51.100.7"))
        #expect(v4.prefixLength == 32)
        #expect(v4.family == .ipv4)
        let v6 = try #require(CIDR("2001:db8::7"))
        #expect(v6.prefixLength == 128)
        #expect(v6.family == .ipv6)
        #expect(v6.networkBytes.count == 16)
    }

    @Test func describesCanonically() throws {
        #expect(try #require(CIDR("203.0.113.0/24")).description == "203.0.113.0/24")
        #expect(try #require(CIDR("2001:0DB8:0:0:0:0:0:0/32")).description == "2001:db8::/32")
        #expect(try #require(CIDR("::1")).description == "::1/128")
        #expect(try #require(CIDR("::/0")).description == "::/0")
        #expect(try #require(CIDR("1:0:0:2:0:0:0:3")).description == "1:0:0:2::3/128")
        #expect(try #require(CIDR("::ffff:203.0.113.9")).description == "::ffff:cb00:7109/128")
    }

    @Test func containsAddressBytes() throws {
        let cidr = try #require(CIDR("203.0.113.0/24"))
        #expect(cidr.contains(addressBytes: [203, 0, 113, 42]))
        #expect(!cidr.contains(addressBytes: [203, 0, 112, 42]))
        #expect(!cidr.contains(addressBytes: [203, 0, 113]))
    }
}
