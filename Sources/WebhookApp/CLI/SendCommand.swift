import Foundation
import WebhookCore
import WebhookCrypto

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `kyc-webhooks send EVENT --url URL [--secret S | --secret-env NAME] [--file BODY]`.
enum SendCommand {
    static let help = """
        Usage: kyc-webhooks send EVENT --url URL [--secret S | --secret-env NAME] [--file BODY]

        Posts a built-in sample body of EVENT (or the bytes of BODY) to URL and prints the response.
        Gu1 events (kyc.*, biometric.*, entity.*, rule.*, transaction.*) are signed with the secret in
        X-Webhook-Signature and carry X-Webhook-Event and X-Webhook-ID. ARGOS events (argos.*) are posted
        as plain JSON: put the route's token in the URL (/webhooks/argos/TOKEN).

        Example:
          kyc-webhooks send kyc.validation_approved --url http://127.0.0.1:8080/webhooks/gu1 \\
              --secret-env GU1_WEBHOOK_SECRET
        """

    static func run(_ words: [String]) async throws -> Int32 {
        let arguments = try Arguments(words, valueOptions: ["url", "secret", "secret-env", "file"])
        if arguments.wantsHelp {
            print(help)
            print("\nEvents with a built-in sample:\n  " + SampleEvents.allTypes.joined(separator: "\n  "))
            return 0
        }
        guard arguments.positionals.count == 1, let eventType = arguments.positionals.first else {
            throw Arguments.UsageError("send takes one EVENT, e.g. kyc.validation_approved; see send --help.")
        }
        guard let urlText = arguments.value("url"), let url = URL(string: urlText),
            url.scheme == "http" || url.scheme == "https"
        else {
            throw Arguments.UsageError("Give the receiver's address with --url http://HOST:PORT/PATH.")
        }
        let body: [UInt8]
        if let path = arguments.value("file") {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CommandFailure.runtime("Cannot read \(path); check the path and its permissions.")
            }
            body = Array(data)
        } else {
            guard let sample = SampleEvents.body(for: eventType) else {
                throw CommandFailure.usage(
                    "No built-in sample for '\(eventType)'; use one of send --help's events, or --file BODY."
                )
            }
            body = sample
        }
        let secret = try SecretOption.resolve(arguments, required: false)
        let isArgos = eventType.hasPrefix("argos.")
        if !isArgos && secret == nil {
            FileHandle.standardError.write(Data("kyc-webhooks: sending unsigned (no --secret given).\n".utf8))
        }

        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if !isArgos {
            request.setValue(eventType, forHTTPHeaderField: "X-Webhook-Event")
            request.setValue(UUID().uuidString.lowercased(), forHTTPHeaderField: "X-Webhook-ID")
            request.setValue(String(Int(Date().timeIntervalSince1970)), forHTTPHeaderField: "X-Webhook-Timestamp")
            if let secret {
                let mac = body.withUnsafeBytes { HMACSHA256.authenticationCode(for: $0, key: secret) }
                request.setValue(Hex.encode(mac), forHTTPHeaderField: "X-Webhook-Signature")
            }
        }
        let (data, response): (Data, URLResponse)
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw CommandFailure.runtime("Could not reach \(urlText): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        print("HTTP \(status)")
        print(String(decoding: data, as: UTF8.self))
        return (200..<300).contains(status) ? 0 : 1
    }
}
