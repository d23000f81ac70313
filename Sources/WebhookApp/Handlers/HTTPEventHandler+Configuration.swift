import Foundation
import WebhookCore

// An `http` handler's settings (docs/reference.md §6): `url`, `timeoutSeconds` and `signingSecret`.

extension HTTPEventHandler {
    /// The keys of an `http` handler besides the common ones.
    static let configurationKeys = ["url", "timeoutSeconds", "signingSecret"]

    /// Reads an `http` handler's settings; nil when they are wrong (reported). An absent `timeoutSeconds`
    /// is ``defaultTimeout``.
    ///
    /// - Parameter secrets: gets the signing secret, when there is one.
    init?(_ members: [String: JSONValue], at path: JSONPath, secrets: inout [Secret], reader: inout ConfigurationReader)
    {
        let urlPath = path.appending("url")
        let problemsBefore = reader.problems.count
        var timeout = Self.defaultTimeout
        if let value = members["timeoutSeconds"] {
            timeout = reader.duration(value, at: path.appending("timeoutSeconds"), maximum: 86_400, fallback: timeout)
        }
        var signingKey: [UInt8]?
        if let value = members["signingSecret"] {
            let secretPath = path.appending("signingSecret")
            switch reader.secret(value, at: secretPath) {
            case .resolved(let secret):
                secrets.append(secret)
                do {
                    signingKey = try Self.signingKey(fromSecret: secret.utf8)
                } catch {
                    // The handler's message names the rule, never the secret.
                    reader.error(secretPath, "is not a usable signing key (\(error)): fix the secret it names")
                }
            case .absent:
                reader.warn(secretPath, "is optional and not set, so this handler's requests are sent unsigned")
            case .invalid:
                break
            }
        }
        guard let value = members["url"] else {
            reader.error(
                urlPath,
                "is missing: add the endpoint to POST events to, like \"url\": \"https://crm.example.com/kyc\""
            )
            return nil
        }
        guard let text = reader.string(value, at: urlPath) else { return nil }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty, let url = components.url
        else {
            reader.error(urlPath, "is not an http or https URL: write it like \"https://crm.example.com/kyc\"")
            return nil
        }
        if components.user != nil || components.password != nil {
            reader.error(
                urlPath,
                "contains credentials, which would end up in logs and process listings: remove them and use signingSecret"
            )
            return nil
        }
        guard reader.problems.count == problemsBefore else { return nil }
        self.init(url: url, timeout: timeout, signingKey: signingKey)
    }
}
