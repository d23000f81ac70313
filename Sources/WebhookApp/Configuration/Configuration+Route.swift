import WebhookCrypto

extension Configuration {
    /// One webhook endpoint (`routes[i]`): a path, its sender, and how requests to it are authenticated.
    public struct Route: Sendable {
        /// The request path, e.g. `/webhooks/gu1`; an ARGOS route also answers `<path>/<token>`.
        public var path: String
        /// Who posts to it, with the sender's authentication settings.
        public var sender: Sender

        /// - Parameters:
        ///   - path: the request path (starts with `/`).
        ///   - sender: the sender and its authentication.
        public init(path: String, sender: Sender) {
            self.path = path
            self.sender = sender
        }
    }

    /// The sender of a route, with its authentication settings.
    public enum Sender: Sendable {
        /// Gu1 organization webhooks and per-request `webhookUrl` deliveries.
        case gu1(Gu1Route)
        /// The legacy vendor, ARGOS Identity.
        case argos(ArgosRoute)

        /// `gu1` or `argos`, as written in the configuration.
        public var name: String {
            switch self {
            case .gu1: return "gu1"
            case .argos: return "argos"
            }
        }
    }

    /// How a Gu1 route authenticates: `X-Webhook-Signature`, the HMAC-SHA256 of the raw body.
    public struct Gu1Route: Sendable {
        /// Keys tried in order (rotation: current first, previous next). Optional secrets that were not
        /// set are already left out.
        public let secrets: [Secret]
        /// Whether a request without a valid signature is refused (401). False only when the configuration
        /// says so explicitly, with a startup warning.
        public let requireSignature: Bool
        /// ``secrets`` prepared once for HMAC-SHA256, for the receive path.
        let keys: [HMACSHA256.Key]

        /// - Parameters:
        ///   - secrets: HMAC keys tried in order.
        ///   - requireSignature: default true.
        public init(secrets: [Secret], requireSignature: Bool = true) {
            self.secrets = secrets
            self.requireSignature = requireSignature
            self.keys = secrets.map { HMACSHA256.Key($0.bytes) }
        }
    }

    /// How an ARGOS route authenticates: any one of a token, decryption, or the source address.
    public struct ArgosRoute: Sendable {
        /// The token expected as the last path segment (`<path>/<token>`) or in `?token=`.
        public let token: Secret?
        /// When set, a body that decrypts with this key and parses is authentic.
        public let decryption: Decryption?
        /// When set, requests from these source addresses are authentic (`X-Forwarded-For` believed only
        /// from ``Configuration/trustedProxies``).
        public let allowFrom: [CIDR]?
        /// The AES-256 key of ``decryption`` (the SHA-256 of the API key), computed once.
        let decryptionKey: [UInt8]?

        /// - Parameters:
        ///   - token: URL token, default none.
        ///   - decryption: body decryption, default none.
        ///   - allowFrom: allowed source ranges, default none.
        public init(token: Secret? = nil, decryption: Decryption? = nil, allowFrom: [CIDR]? = nil) {
            self.token = token
            self.decryption = decryption
            self.allowFrom = allowFrom
            self.decryptionKey = decryption.map { SHA256.hash($0.apiKey.bytes) }
        }

        /// Whether `address` is in ``allowFrom``; nil when there is no allow-list.
        func isAllowed(_ address: String) -> Bool? {
            allowFrom.map { list in list.contains { $0.contains(address: address) } }
        }

        /// Whether at least one authentication is configured (a route without one is refused).
        public var hasAuthentication: Bool {
            token != nil || decryption != nil || allowFrom != nil
        }
    }

    /// ARGOS's encryption option (`decrypt`): `{"data": base64(AES-256-ECB(SHA-256(apiKey), PKCS#7))}`.
    public struct Decryption: Sendable {
        /// The cipher; ARGOS documents one.
        public enum Algorithm: String, Sendable, Equatable, CaseIterable {
            /// AES-256 in ECB mode with PKCS#7 padding; the key is the SHA-256 of the API key.
            case aes256ECB = "aes-256-ecb"
        }

        /// The cipher.
        public var algorithm: Algorithm
        /// The ARGOS API key (its SHA-256 is the AES key).
        public var apiKey: Secret

        /// - Parameters:
        ///   - algorithm: default `aes-256-ecb`.
        ///   - apiKey: the ARGOS API key.
        public init(algorithm: Algorithm = .aes256ECB, apiKey: Secret) {
            self.algorithm = algorithm
            self.apiKey = apiKey
        }
    }
}
