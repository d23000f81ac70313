import Foundation
import SystemSupport
import Testing
import WebhookCrypto
import WebhookTesting

#if canImport(Glibc)
    import Glibc
#endif

/// A real nginx (Debian's) in front of the real daemon: every fixture through the proxy, with nginx's default
/// upstream HTTP/1.0, with HTTP/1.1 keep-alive, and with the shipped configuration (`deploy/nginx/`);
/// `allowFrom` on the address nginx forwards; a forged `X-Forwarded-For` not believed; with the shipped
/// configuration, large bodies stay in memory and the access log holds no ARGOS token.
///
/// Clients use other loopback addresses as their source (curl `--interface 127.0.0.2`), so the daemon can
/// tell an allowed client (127.0.0.2) from another (127.0.0.3) behind the one proxy (127.0.0.1).
@Suite(.serialized) struct NginxTests {
    enum Mode: String, CaseIterable, Sendable {
        /// nginx's default: `proxy_pass` over HTTP/1.0, one connection per request.
        case http10
        /// `proxy_http_version 1.1` with an upstream keep-alive pool.
        case http11KeepAlive
        /// The files a deployment installs: `deploy/nginx/kyc-webhooks-logging.conf` at http level and
        /// `deploy/nginx/kyc-webhooks-proxy.conf` in the location, included from the repository itself.
        case shipped
    }

    /// The repository's `deploy/nginx/` folder.
    static let shippedDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/nginx")

    static let environment = [
        "GU1_SECRET": "whsec_nginx_test",
        "ARGOS_TOKEN": "tok_nginx_0123456789",
        "ARGOS_API_KEY": "argos-test-api-key",
    ]

    /// An nginx configuration in front of `upstreamPorts` (several: round-robin, the next one tried on an
    /// error, a timeout or a 503, as docs/operations.md §13 sets it up for several receivers).
    static func nginxConfiguration(mode: Mode, port: Int, upstreamPorts: [Int], directory: URL) -> String {
        let proxying: String
        // nginx's own `combined` format, except where the shipped one is under test.
        var logging = "access_log \(directory.path)/nginx-access.log;"
        switch mode {
        case .http10:
            proxying = """
                proxy_pass http://127.0.0.1:\(upstreamPorts[0]);
                        proxy_set_header Host $host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                """
        case .http11KeepAlive:
            proxying = """
                proxy_pass http://kyc_webhooks;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host $host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_next_upstream error timeout http_503 non_idempotent;
                        proxy_next_upstream_tries 2;
                """
        case .shipped:
            proxying = "include \(shippedDirectory.path)/kyc-webhooks-proxy.conf;"
            logging = """
                include \(shippedDirectory.path)/kyc-webhooks-logging.conf;
                    access_log \(directory.path)/nginx-access.log kyc_webhooks;
                """
        }
        return """
            daemon off;
            master_process off;
            worker_processes 1;
            pid \(directory.path)/nginx.pid;
            error_log \(directory.path)/nginx-error.log warn;
            events { worker_connections 256; }
            http {
                \(logging)
                client_body_temp_path \(directory.path)/body;
                proxy_temp_path \(directory.path)/proxy;
                fastcgi_temp_path \(directory.path)/fastcgi;
                uwsgi_temp_path \(directory.path)/uwsgi;
                scgi_temp_path \(directory.path)/scgi;
                upstream kyc_webhooks {
                    \(upstreamPorts.map { "server 127.0.0.1:\($0) max_fails=3 fail_timeout=10s;" }.joined(separator: "\n        "))
                    keepalive 8;
                }
                server {
                    listen 127.0.0.1:\(port);
                    client_max_body_size 1m;
                    location /webhooks/ {
                        \(proxying)
                    }
                    location / { return 404; }
                }
            }
            """
    }

    /// Starts nginx with `configuration` (from ``nginxConfiguration(mode:port:upstreamPorts:directory:)``,
    /// listening on `port`) in `directory`, waits until it listens, runs `body`, then kills and reaps it,
    /// whatever `body` did. Blocking: from a thread of its own.
    static func withNginx<T>(_ configuration: String, port: Int, in directory: URL, _ body: () throws -> T) throws -> T
    {
        let conf = directory.appendingPathComponent("nginx.conf")
        try Data(configuration.utf8).write(to: conf)
        let nginx = try SpawnedProcess(
            arguments: [
                "/usr/sbin/nginx", "-p", directory.path, "-c", conf.path, "-e",
                directory.appendingPathComponent("nginx-error.log").path,
            ],
            environment: ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" },
            standardOutput: .null,
            standardError: .null
        )
        defer {
            // nginx in single-process mode (master_process off) does not always act on SIGTERM at once; it
            // holds no state worth a graceful stop here.
            nginx.send(signal: SIGKILL)
            nginx.wait()
        }
        var isListening = false
        let deadline = Date().addingTimeInterval(10)
        while !isListening && Date() < deadline {
            isListening = (try? LoopbackClient(port: port, timeoutSeconds: 1)) != nil
            if !isListening { usleep(50_000) }
        }
        guard isListening else {
            let log = (try? Data(contentsOf: directory.appendingPathComponent("nginx-error.log"))) ?? Data()
            throw DaemonError("nginx did not listen: \(String(decoding: log, as: UTF8.self))")
        }
        return try body()
    }

    /// One proxied setup: the daemon (sqlite, `file` handler) and nginx in front of it; only
    /// ``with(mode:_:)`` makes one.
    final class Setup: Sendable {
        let directory: URL
        let daemon: DaemonProcess
        let nginxPort: Int

        private init(directory: URL, daemon: DaemonProcess, nginxPort: Int) {
            self.directory = directory
            self.daemon = daemon
            self.nginxPort = nginxPort
        }

        /// Starts the daemon and nginx in front of it, runs `body`, then kills nginx, kills the daemon if it
        /// still runs, reaps both and removes the directory, whatever `body` did. `body` runs on a thread of
        /// its own (``withDaemon(arguments:environment:directory:timeout:wrapper:_:)``): it may block.
        static func with(mode: Mode, _ body: (Setup) throws -> Void) async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "kyc-nginx-\(UUID().uuidString)"
            )
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let config = """
                {
                  "listen": {"host": "127.0.0.1", "port": 0},
                  "trustedProxies": ["127.0.0.1/32"],
                  "store": {"kind": "sqlite", "path": "\(directory.path)/kyc.sqlite3"},
                  "routes": [
                    {"path": "/webhooks/gu1", "sender": "gu1", "secrets": [{"env": "GU1_SECRET"}]},
                    {"path": "/webhooks/argos", "sender": "argos", "token": {"env": "ARGOS_TOKEN"}},
                    {"path": "/webhooks/argos-encrypted", "sender": "argos",
                     "decrypt": {"algorithm": "aes-256-ecb", "apiKey": {"env": "ARGOS_API_KEY"}}},
                    {"path": "/webhooks/argos-allowlisted", "sender": "argos", "allowFrom": ["127.0.0.2/32"]}
                  ],
                  "handlers": [{"name": "audit", "type": "file", "path": "\(directory.path)/events.jsonl"}]
                }
                """
            try Data(config.utf8).write(to: directory.appendingPathComponent("config.json"))
            try await withDaemon(
                arguments: ["serve", "--config", directory.appendingPathComponent("config.json").path],
                environment: NginxTests.environment,
                directory: directory
            ) { daemon in
                let nginxPort = try LoopbackPort.free()
                let configuration = NginxTests.nginxConfiguration(
                    mode: mode,
                    port: nginxPort,
                    upstreamPorts: [daemon.port],
                    directory: directory
                )
                try NginxTests.withNginx(configuration, port: nginxPort, in: directory) {
                    try body(Setup(directory: directory, daemon: daemon, nginxPort: nginxPort))
                }
            }
        }

        /// POSTs with curl from `source` through nginx; returns the status and body.
        func post(
            _ path: String,
            body: [UInt8],
            headers: [String] = [],
            source: String = "127.0.0.2",
            port: Int? = nil
        ) throws -> (Int, String) {
            let bodyFile = directory.appendingPathComponent("body-\(UUID().uuidString)")
            try Data(body).write(to: bodyFile)
            defer { try? FileManager.default.removeItem(at: bodyFile) }
            var arguments = [
                "-s", "-S", "--max-time", "10", "--interface", source, "-w", "\n%{http_code}", "-H",
                "Content-Type: application/json",
            ]
            for header in headers { arguments += ["-H", header] }
            arguments += ["--data-binary", "@\(bodyFile.path)", "http://127.0.0.1:\(port ?? nginxPort)\(path)"]
            let text = try ChildProcess.run(URL(fileURLWithPath: "/usr/bin/curl"), arguments).standardOutput
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
        }

    }

    @Test("every fixture through nginx reaches the file handler", arguments: Mode.allCases)
    func everyFixtureThroughNginx(mode: Mode) async throws {
        try await Setup.with(mode: mode) { setup in
            var keys = Set<String>()
            for fixture in try Fixtures.all() {
                let path: String
                var headers: [String] = []
                if fixture.isEncrypted {
                    path = "/webhooks/argos-encrypted"
                } else if fixture.sender == "argos" {
                    path = "/webhooks/argos/tok_nginx_0123456789"
                } else {
                    path = "/webhooks/gu1"
                    let mac = HMACSHA256.authenticationCode(for: fixture.body, key: Array("whsec_nginx_test".utf8))
                    headers = ["X-Webhook-Signature: \(Hex.encode(mac))"]
                }
                let (status, body) = try setup.post(path, body: fixture.body, headers: headers)
                #expect(status == 200, "\(fixture.name) via \(mode): \(body)")
                keys.insert(fixture.expected.idempotencyKey)
            }
            // Every event reaches the `file` handler.
            let file = setup.directory.appendingPathComponent("events.jsonl")
            var delivered = Set<String>()
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline {
                delivered = CrashTests.deliveredKeys(file)
                if keys.isSubset(of: delivered) { break }
                usleep(100_000)
            }
            #expect(keys.subtracting(delivered).isEmpty, "not delivered: \(keys.subtracting(delivered).sorted())")
        }
    }

    @Test(
        "allowFrom sees the client address nginx forwards; a forged X-Forwarded-For is not believed",
        arguments: Mode.allCases
    )
    func allowFromBehindNginx(mode: Mode) async throws {
        try await Setup.with(mode: mode) { setup in
            let body = try Fixtures.load("argos/submit.json").body
            // The allowed client, through the proxy.
            #expect(try setup.post("/webhooks/argos-allowlisted", body: body, source: "127.0.0.2").0 == 200)
            // Another client, through the proxy.
            #expect(try setup.post("/webhooks/argos-allowlisted", body: body, source: "127.0.0.3").0 == 403)
            // Another client forging the allowed address: nginx appends the real one, which the daemon believes.
            let forged = try setup.post(
                "/webhooks/argos-allowlisted",
                body: body,
                headers: ["X-Forwarded-For: 127.0.0.2"],
                source: "127.0.0.3"
            )
            #expect(forged.0 == 403)
            // Straight to the daemon from a peer that is not the proxy: its X-Forwarded-For is ignored.
            let direct = try setup.post(
                "/webhooks/argos-allowlisted",
                body: body,
                headers: ["X-Forwarded-For: 127.0.0.2"],
                source: "127.0.0.3",
                port: setup.daemon.port
            )
            #expect(direct.0 == 403)
        }
    }
}

extension NginxTests {
    /// A signed Gu1 event of about 200 KiB: a fixture with a large extra field beside its envelope.
    static func largeSignedEvent() throws -> (body: [UInt8], signature: String) {
        let fixture = try Fixtures.load("gu1-kyc/approved.json").body
        guard let brace = fixture.firstIndex(of: UInt8(ascii: "{")) else {
            throw DaemonError("fixture is not an object")
        }
        let padding = Array("\"padding\":\"\(String(repeating: "x", count: 200 * 1024))\",".utf8)
        let body = Array(fixture[...brace]) + padding + Array(fixture[(brace + 1)...])
        let mac = HMACSHA256.authenticationCode(for: body, key: Array("whsec_nginx_test".utf8))
        return (body, Hex.encode(mac))
    }

    static func text(of file: URL) -> String {
        String(decoding: (try? Data(contentsOf: file)) ?? Data(), as: UTF8.self)
    }

    @Test(
        "a 200 KiB body through the shipped configuration is never written to a temporary file",
        arguments: [Mode.shipped, .http11KeepAlive]
    )
    func largeBodiesStayInMemory(mode: Mode) async throws {
        try await Setup.with(mode: mode) { setup in
            let event = try NginxTests.largeSignedEvent()
            #expect(event.body.count > 200 * 1024)
            let (status, answer) = try setup.post(
                "/webhooks/gu1",
                body: event.body,
                headers: ["X-Webhook-Signature: \(event.signature)"]
            )
            #expect(status == 200, "\(answer)")
            // nginx warns each time it buffers a request body to a file in client_body_temp_path.
            let errors = NginxTests.text(of: setup.directory.appendingPathComponent("nginx-error.log"))
            let buffered = errors.contains("buffered to a temporary file")
            let leftovers =
                (try? FileManager.default.contentsOfDirectory(
                    atPath: setup.directory.appendingPathComponent("body").path
                ))
                ?? []
            switch mode {
            case .shipped:
                #expect(!buffered, "nginx wrote the body to a file: \(errors)")
                #expect(leftovers.isEmpty)
            default:
                // The control: nginx's default buffer (16 KiB) does write it, so the check above can fail.
                #expect(buffered, "expected nginx's temporary-file warning with its default buffer")
            }
        }
    }

    @Test(
        "the shipped access log format masks the ARGOS token in the path and in the query",
        arguments: [Mode.shipped, .http10]
    )
    func accessLogHasNoToken(mode: Mode) async throws {
        try await Setup.with(mode: mode) { setup in
            let body = try Fixtures.load("argos/submit.json").body
            let token = NginxTests.environment["ARGOS_TOKEN"]!
            #expect(try setup.post("/webhooks/argos/\(token)", body: body).0 == 200)
            #expect(try setup.post("/webhooks/argos?source=x&token=\(token)&y=1", body: body).0 == 200)
            // A wrong token is logged no more than a right one.
            #expect(try setup.post("/webhooks/argos/tok_wrong_guess_42", body: body).0 == 401)
            // nginx writes a request's log line after the response; wait for all three.
            let log = setup.directory.appendingPathComponent("nginx-access.log")
            let deadline = Date().addingTimeInterval(5)
            while NginxTests.text(of: log).split(separator: "\n").count < 3 && Date() < deadline { usleep(50_000) }
            let lines = NginxTests.text(of: log).split(separator: "\n")
            #expect(lines.count == 3)
            switch mode {
            case .shipped:
                #expect(!lines.contains { $0.contains(token) || $0.contains("tok_wrong_guess_42") }, "\(lines)")
                #expect(lines.filter { $0.contains("***") }.count == 3, "\(lines)")
                #expect(lines.contains { $0.contains("/webhooks/argos?source=x&token=***&y=1") }, "\(lines)")
            default:
                // The control: nginx's `combined` format logs the token, so the check above can fail.
                #expect(lines.contains { $0.contains(token) })
            }
        }
    }
}
