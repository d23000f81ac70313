import Testing
import WebhookCrypto

@testable import WebhookApp

/// How `X-Webhook-Signature` is read: hex in either case, an optional `sha256=` in any case, blanks around.
@Suite struct SignatureHeaderTests {
    static let digits: String = String(repeating: "0123456789abcdef", count: 4)
    static let mac: [UInt8]? = Hex.decode(digits)

    static let acceptedForms: [String] = [
        digits,
        digits.uppercased(),
        "sha256=" + digits,
        "SHA256=" + digits,
        "Sha256=" + digits.uppercased(),
        " \t" + digits + "\t ",
        "  sha256=" + digits + " ",
    ]

    @Test("accepted forms", arguments: acceptedForms)
    func accepted(value: String) {
        #expect(WebhookReceiver.parseSignature(value) == Self.mac)
    }

    static let refusedForms: [String] = [
        "",
        "sha256=",
        String(digits.dropLast()),
        digits + "0",
        "sha256:" + digits,
        "sha1=" + digits,
        "sha256 =" + digits,
        "sha256=" + String(digits.dropLast()) + "g",
        "sha256=" + String(digits.dropLast()) + "é",
        "\u{17F}ha256=" + digits,
        "sha256=sha256=" + digits,
        String(digits.prefix(32)) + " " + String(digits.prefix(31)),
    ]

    @Test("refused forms", arguments: refusedForms)
    func refused(value: String) {
        #expect(WebhookReceiver.parseSignature(value) == nil)
    }
}
