import WebhookCore

// Parsing of `routes` (docs/reference.md §3): paths, senders and their authentication.

extension ConfigurationReader {
    /// Paths the daemon answers itself (docs/reference.md §4 operational endpoints); a route cannot take them.
    static let reservedPaths: Set<String> = ["/healthz", "/readyz", "/metrics"]

    static let commonRouteKeys = ["path", "sender"]
    static let gu1RouteKeys = ["secrets", "requireSignature"]
    static let argosRouteKeys = ["token", "decrypt", "allowFrom"]

    /// What became of one route.
    private enum RouteOutcome {
        case route(Configuration.Route)
        /// Every authentication it has is an optional secret that is not set: left out, with a warning.
        case disabled
        case invalid
    }

    mutating func parseRoutes(_ value: JSONValue?, at path: JSONPath) -> [Configuration.Route] {
        guard let value else {
            error(
                path,
                "is missing: add at least one route, like {\"path\": \"/webhooks/gu1\", \"sender\": \"gu1\","
                    + " \"secrets\": [{\"env\": \"GU1_WEBHOOK_SECRET\"}]}"
            )
            return []
        }
        guard let elements = array(value, at: path, what: "a list of routes") else { return [] }
        guard !elements.isEmpty else {
            error(path, "is empty: add at least one route, or the daemon accepts nothing")
            return []
        }
        var routes: [Configuration.Route] = []
        var pathsSeen: [String: Int] = [:]
        var disabledCount = 0
        var hasInvalid = false
        for (index, element) in elements.enumerated() {
            let routePath = path.appending(index: index)
            // Duplicate paths are checked on every route that has a valid path, enabled or not.
            if let text = peekString("path", in: element), Self.isValidRoutePath(text) {
                if let first = pathsSeen[text] {
                    error(
                        routePath.appending("path"),
                        "repeats the path of routes[\(first)]: give each route its own path"
                    )
                } else {
                    pathsSeen[text] = index
                }
            }
            switch parseRoute(element, at: routePath) {
            case .route(let route): routes.append(route)
            case .disabled: disabledCount += 1
            case .invalid: hasInvalid = true
            }
        }
        checkTokenPathConflicts(elements, at: path)
        if routes.isEmpty, disabledCount > 0, !hasInvalid {
            error(
                path,
                "no route is enabled, because every route's secrets are optional and not set: set them, or make one required"
            )
        }
        return routes
    }

    private mutating func parseRoute(_ value: JSONValue, at path: JSONPath) -> RouteOutcome {
        guard let members = object(value, at: path, what: "a route") else { return .invalid }
        let problemsBefore = problems.count

        var routePath: String?
        if let value = members["path"] {
            if let text = string(value, at: path.appending("path")) {
                if !Self.isValidRoutePath(text) {
                    error(
                        path.appending("path"),
                        "is not a request path: start it with /, use letters, digits, -, _, . and ~ between single"
                            + " slashes, with no trailing slash, query or fragment"
                    )
                } else if Self.reservedPaths.contains(text) {
                    error(
                        path.appending("path"),
                        "is an operational endpoint of the daemon (/healthz, /readyz, /metrics): choose another path"
                    )
                } else {
                    routePath = text
                }
            }
        } else {
            error(
                path.appending("path"),
                "is missing: add the request path the sender posts to, like \"/webhooks/gu1\""
            )
        }

        var sender: String?
        if let value = members["sender"] {
            sender = enumString(value, at: path.appending("sender"), allowed: ["gu1", "argos"], what: "a known sender")
        } else {
            error(path.appending("sender"), "is missing: add \"sender\": \"gu1\" or \"sender\": \"argos\"")
        }

        switch sender {
        case "gu1":
            rejectUnknownKeys(
                members,
                allowed: Self.commonRouteKeys + Self.gu1RouteKeys,
                at: path,
                context: "in a gu1 route"
            )
            let outcome = parseGu1(members, at: path)
            guard let routePath, problems.count == problemsBefore else { return .invalid }
            guard let gu1 = outcome else { return .disabled }
            return .route(Configuration.Route(path: routePath, sender: .gu1(gu1)))
        case "argos":
            rejectUnknownKeys(
                members,
                allowed: Self.commonRouteKeys + Self.argosRouteKeys,
                at: path,
                context: "in an argos route"
            )
            let outcome = parseArgos(members, at: path)
            guard let routePath, problems.count == problemsBefore else { return .invalid }
            guard let argos = outcome else { return .disabled }
            return .route(Configuration.Route(path: routePath, sender: .argos(argos)))
        default:
            let allKeys = Self.commonRouteKeys + Self.gu1RouteKeys + Self.argosRouteKeys
            rejectUnknownKeys(members, allowed: allKeys, at: path, context: "in a route")
            return .invalid
        }
    }

    /// A Gu1 route's settings; nil when it is disabled (warned).
    private mutating func parseGu1(_ members: [String: JSONValue], at path: JSONPath) -> Configuration.Gu1Route? {
        var requireSignature = true
        if let value = members["requireSignature"] {
            requireSignature = bool(value, at: path.appending("requireSignature"), fallback: true)
            if !requireSignature {
                warn(
                    path.appending("requireSignature"),
                    "is false, so anyone who can reach this path can post events as Gu1: set it to true with a secret"
                        + " unless a proxy authenticates requests"
                )
            }
        }
        var secrets: [Secret] = []
        var absentCount = 0
        var invalidCount = 0
        if let value = members["secrets"] {
            let secretsPath = path.appending("secrets")
            if let elements = array(
                value,
                at: secretsPath,
                what: "a list of secrets like [{\"env\": \"GU1_WEBHOOK_SECRET\"}]"
            ) {
                if elements.isEmpty, requireSignature {
                    error(
                        secretsPath,
                        "is empty: list the Gu1 webhook secret, like [{\"env\": \"GU1_WEBHOOK_SECRET\"}]"
                    )
                }
                for (index, element) in elements.enumerated() {
                    switch secret(element, at: secretsPath.appending(index: index)) {
                    case .resolved(let secret): secrets.append(secret)
                    case .absent: absentCount += 1
                    case .invalid: invalidCount += 1
                    }
                }
            }
        } else if requireSignature {
            error(
                path.appending("secrets"),
                "is missing: a gu1 route verifies X-Webhook-Signature, so add \"secrets\": [{\"env\": \"GU1_WEBHOOK_SECRET\"}]"
            )
        }
        // Disabled only when every secret is optional and unset; a required one that is missing is an error
        // already, and saying "every secret is optional" beside it would be wrong.
        if requireSignature, secrets.isEmpty, absentCount > 0, invalidCount == 0 {
            warn(
                path,
                "is disabled: every secret it lists is optional and not set; set one to receive Gu1 webhooks here"
            )
            return nil
        }
        return Configuration.Gu1Route(secrets: secrets, requireSignature: requireSignature)
    }

    /// An ARGOS route's settings; nil when it is disabled (warned).
    private mutating func parseArgos(_ members: [String: JSONValue], at path: JSONPath) -> Configuration.ArgosRoute? {
        var token: Secret?
        var decryption: Configuration.Decryption?
        var allowFrom: [CIDR]?
        var hasAbsent = false
        guard members["token"] != nil || members["decrypt"] != nil || members["allowFrom"] != nil else {
            error(
                path,
                "has no authentication, so anyone could post events: add at least one of token, decrypt or allowFrom"
            )
            return Configuration.ArgosRoute()
        }
        if let value = members["token"] {
            let tokenPath = path.appending("token")
            switch secret(value, at: tokenPath) {
            case .resolved(let resolved):
                if Self.isURLToken(resolved.bytes) {
                    token = resolved
                } else {
                    error(
                        tokenPath,
                        "the token must be only letters, digits, -, _, . and ~, so it can be the last path segment: choose another token"
                    )
                }
            case .absent: hasAbsent = true
            case .invalid: break
            }
        }
        if let value = members["decrypt"] {
            let decryptPath = path.appending("decrypt")
            let what = "decrypt, like {\"algorithm\": \"aes-256-ecb\", \"apiKey\": {\"env\": \"ARGOS_API_KEY\"}}"
            if let decrypt = object(value, at: decryptPath, what: what) {
                rejectUnknownKeys(decrypt, allowed: ["algorithm", "apiKey"], at: decryptPath, context: "in decrypt")
                var algorithm = Configuration.Decryption.Algorithm.aes256ECB
                if let value = decrypt["algorithm"] {
                    let names = Configuration.Decryption.Algorithm.allCases.map(\.rawValue)
                    let name = enumString(
                        value,
                        at: decryptPath.appending("algorithm"),
                        allowed: names,
                        what: "a supported algorithm"
                    )
                    algorithm = name.flatMap(Configuration.Decryption.Algorithm.init(rawValue:)) ?? algorithm
                }
                if let value = decrypt["apiKey"] {
                    switch secret(value, at: decryptPath.appending("apiKey")) {
                    case .resolved(let key): decryption = Configuration.Decryption(algorithm: algorithm, apiKey: key)
                    case .absent: hasAbsent = true
                    case .invalid: break
                    }
                } else {
                    error(
                        decryptPath.appending("apiKey"),
                        "is missing: add the ARGOS API key, like \"apiKey\": {\"env\": \"ARGOS_API_KEY\"}"
                    )
                }
            }
        }
        if let value = members["allowFrom"] {
            allowFrom = parseCIDRList(value, at: path.appending("allowFrom"), allowsEmpty: false)
        }
        let route = Configuration.ArgosRoute(token: token, decryption: decryption, allowFrom: allowFrom)
        if !route.hasAuthentication, hasAbsent {
            warn(
                path,
                "is disabled: its authentication uses only optional secrets that are not set; set them to receive ARGOS webhooks here"
            )
            return nil
        }
        return route
    }

    /// An ARGOS route answers `<path>/<token>` too, so another route may not sit one segment below it.
    private mutating func checkTokenPathConflicts(_ elements: [JSONValue], at path: JSONPath) {
        var argosPaths: [String] = []
        var allPaths: [(Int, String)] = []
        for (index, element) in elements.enumerated() {
            guard let text = peekString("path", in: element), Self.isValidRoutePath(text) else {
                continue
            }
            allPaths.append((index, text))
            if peekString("sender", in: element) == "argos" { argosPaths.append(text) }
        }
        for (index, text) in allPaths {
            for argos in argosPaths where text.hasPrefix(argos + "/") && !text.dropFirst(argos.count + 1).contains("/")
            {
                error(
                    path.appending(index: index).appending("path"),
                    "is the token form (<path>/<token>) of the argos route \(argos): choose a path outside it"
                )
            }
        }
    }

    /// `/a/b`: starts with `/`, unreserved characters, no empty, `.` or `..` segment, no trailing slash.
    static func isValidRoutePath(_ text: String) -> Bool {
        guard text.hasPrefix("/"), text.count <= 1024 else { return false }
        let segments = text.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        return segments.allSatisfy { segment in
            !segment.isEmpty && segment != "." && segment != ".."
                && segment.unicodeScalars.allSatisfy { isUnreserved($0) }
        }
    }

    /// RFC 3986 unreserved: letters, digits, `-`, `.`, `_`, `~`.
    static func isUnreserved(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII
            && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                || "-._~".unicodeScalars.contains(scalar))
    }

    /// Whether a token can be a path segment as is.
    static func isURLToken(_ bytes: [UInt8]) -> Bool {
        bytes.allSatisfy { byte in
            let scalar = Unicode.Scalar(byte)
            return isUnreserved(scalar)
        }
    }
}
