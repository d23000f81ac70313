import Foundation
import SystemSupport
import WebhookCrypto

/// `kyc-webhooks sign (--secret S | --secret-env NAME) [FILE]`: the hex HMAC-SHA256 a Gu1 sender would send.
enum SignCommand {
    static let help = """
        Usage: kyc-webhooks sign (--secret S | --secret-env NAME) [FILE]

        Prints the lowercase hex HMAC-SHA256 of FILE's bytes (or standard input) under the secret:
        the value of X-Webhook-Signature for that body.
        """

    static func run(_ words: [String]) throws -> Int32 {
        let arguments = try Arguments(words, valueOptions: ["secret", "secret-env"])
        if arguments.wantsHelp {
            print(help)
            return 0
        }
        let secret = try SecretOption.resolve(arguments, required: true)!
        guard arguments.positionals.count <= 1 else {
            throw Arguments.UsageError("sign takes at most one FILE.")
        }
        let body: [UInt8]
        if let path = arguments.positionals.first {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CommandFailure.runtime("Cannot read \(path); check the path and its permissions.")
            }
            body = Array(data)
        } else {
            do {
                body = try DescriptorIO.readToEnd(STDIN_FILENO)
            } catch {
                throw CommandFailure.runtime("Cannot read the body from standard input: \(error).")
            }
        }
        let mac = body.withUnsafeBytes { HMACSHA256.authenticationCode(for: $0, key: secret) }
        print(Hex.encode(mac))
        return 0
    }
}

/// `--secret S` or `--secret-env NAME`, shared by `sign` and `send`.
enum SecretOption {
    static func resolve(_ arguments: Arguments, required: Bool) throws -> [UInt8]? {
        switch (arguments.value("secret"), arguments.value("secret-env")) {
        case (let value?, nil):
            return Array(value.utf8)
        case (nil, let name?):
            guard let value = ProcessInfo.processInfo.environment[name] else {
                throw CommandFailure.usage("The environment variable \(name) is not set; export it or use --secret.")
            }
            return Array(value.utf8)
        case (nil, nil):
            if required {
                throw Arguments.UsageError("Give the secret with --secret S or --secret-env NAME.")
            }
            return nil
        case (_?, _?):
            throw Arguments.UsageError("Give either --secret or --secret-env, not both.")
        }
    }
}
