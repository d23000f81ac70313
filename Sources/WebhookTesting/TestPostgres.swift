import Foundation
import Synchronization
import WebhookStore

#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway PostgreSQL cluster for the tests: Debian's server (`apt-get install postgresql`, which
/// `scripts/test.sh` does), `initdb` into a temporary folder (as the `postgres` user when the tests run as
/// root: the server refuses to run as root), on a free loopback port, its socket in that folder, durable
/// commits (`fsync`, `synchronous_commit` on: the settings a deployment must have).
///
/// One cluster per test process, started by the first test that asks (``shared()``), stopped and removed
/// when the process exits; each test takes a database of its own (``createDatabase()``). No test needs a
/// cluster started by hand, and none is skipped when the server is missing: ``shared()`` throws, naming the
/// package.
public final class TestPostgres: Sendable {
    /// The folder holding the data directory, the server's log and its Unix socket.
    public let directory: String
    /// The loopback TCP port it listens on (the socket's name carries it too).
    public let port: Int
    /// The server's `bin` folder and the prefix that runs its programs as `postgres` (empty when not root).
    private let bin: String
    private let runAs: [String]

    private init(directory: String, port: Int, bin: String, runAs: [String]) {
        self.directory = directory
        self.port = port
        self.bin = bin
        self.runAs = runAs
    }

    private static let started: Result<TestPostgres, DaemonError> = {
        do {
            _ = registeredExit
            return .success(try TestPostgres.start())
        } catch let error as DaemonError {
            return .failure(error)
        } catch {
            return .failure(DaemonError("PostgreSQL did not start: \(error)"))
        }
    }()

    /// The process's cluster, started on first use (several seconds: `initdb`, then the server).
    /// - Throws: ``DaemonError`` when PostgreSQL is not installed or does not start, with its log.
    public static func shared() throws -> TestPostgres { try started.get() }

    /// A cluster of the caller's own, for a test that stops or restarts the server (others share theirs);
    /// the caller stops it (``stop()``), and the process's exit does if it did not.
    public static func startPrivate() throws -> TestPostgres {
        _ = registeredExit
        return try start()
    }

    private static let registeredExit: Void = { atexit { TestPostgres.stopAtExit() } }()

    /// `pg_ctl restart -m fast`: every session ends, the server is back on the same port when it returns.
    public func restart() throws {
        let restarted = try run([
            "\(bin)/pg_ctl", "-D", "\(directory)/data", "-l", "\(directory)/server.log", "-w", "-t", "60", "-m",
            "fast", "restart",
        ])
        guard restarted.status == 0 else { throw DaemonError("pg_ctl restart failed: \(restarted.standardError)") }
    }

    /// Stops the server (`-m fast`: sessions end, nothing is lost), leaving the cluster to ``startServer()``.
    public func stopServer() throws {
        let stopped = try run(["\(bin)/pg_ctl", "-D", "\(directory)/data", "-m", "fast", "-w", "-t", "60", "stop"])
        guard stopped.status == 0 else { throw DaemonError("pg_ctl stop failed: \(stopped.standardError)") }
    }

    /// Starts the server again after ``stopServer()``, on the same port.
    public func startServer() throws {
        let started = try run([
            "\(bin)/pg_ctl", "-D", "\(directory)/data", "-l", "\(directory)/server.log", "-w", "-t", "60", "start",
        ])
        guard started.status == 0 else { throw DaemonError("pg_ctl start failed: \(started.standardError)") }
    }

    /// Stops the server (`-m immediate`) and removes its folder.
    public func stop() {
        _ = try? run(["\(bin)/pg_ctl", "-D", "\(directory)/data", "-m", "immediate", "-w", "-t", "30", "stop"])
        Self.active.withLock { $0.removeAll { $0.directory == directory } }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func run(_ arguments: [String]) throws -> ChildProcess.Output {
        let command = runAs + arguments
        return try ChildProcess.run(
            URL(fileURLWithPath: command[0]),
            Array(command.dropFirst()),
            directory: URL(fileURLWithPath: directory)
        )
    }

    /// A libpq connection string to `database` over the cluster's Unix socket, as the superuser.
    public func connectionString(database: String = "postgres") -> String {
        "host=\(directory) port=\(port) user=postgres dbname=\(database) connect_timeout=5"
    }

    /// The same over TCP, as a URI (`postgresql://postgres@127.0.0.1:PORT/DB`).
    public func url(database: String) -> String {
        "postgresql://postgres@127.0.0.1:\(port)/\(database)?connect_timeout=5"
    }

    /// Creates an empty database with a fresh name and returns the name.
    public func createDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let connection = try PostgresConnection(connectionString: connectionString())
        defer { connection.close() }
        try connection.execute("CREATE DATABASE \(name)")
        return name
    }

    // MARK: Starting and stopping

    /// The newest installed server's `bin` folder (`/usr/lib/postgresql/15/bin`).
    static func binaries() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        let usable = versions.compactMap(Int.init).sorted().filter {
            FileManager.default.isExecutableFile(atPath: "\(root)/\($0)/bin/initdb")
        }
        guard let newest = usable.last else {
            throw DaemonError(
                "PostgreSQL's server is not installed (no \(root)/*/bin/initdb): run scripts/test.sh, or apt-get install postgresql"
            )
        }
        return "\(root)/\(newest)/bin"
    }

    private static func start() throws -> TestPostgres {
        let bin = try binaries()
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("kyc-test-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        var runAs: [String] = []
        if geteuid() == 0 {
            // The server refuses root; the cluster and its folder belong to `postgres`.
            guard let account = getpwnam("postgres") else {
                throw DaemonError("the tests run as root and there is no `postgres` user to run the server as")
            }
            guard chown(directory, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
                throw DaemonError("chown of \(directory) to postgres failed (errno \(errno))")
            }
            runAs = ["/usr/sbin/runuser", "-u", "postgres", "--"]
        }
        let port = try LoopbackPort.free()
        let cluster = TestPostgres(directory: directory, port: port, bin: bin, runAs: runAs)
        let initdb = try cluster.run([
            "\(bin)/initdb", "-D", "\(directory)/data", "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C",
            "--no-sync",
        ])
        guard initdb.status == 0 else { throw DaemonError("initdb failed: \(initdb.standardError)") }
        // In postgresql.conf rather than on the command line, so that a plain `pg_ctl start` after a stop
        // (``startServer()``) runs the server just the same.
        let settings = [
            "listen_addresses = '127.0.0.1'", "port = \(port)", "unix_socket_directories = '\(directory)'",
            "fsync = on", "synchronous_commit = on", "max_connections = 200", "shared_buffers = 32MB",
        ]
        let configuration = FileHandle(forWritingAtPath: "\(directory)/data/postgresql.conf")
        configuration?.seekToEndOfFile()
        try configuration?.write(contentsOf: Data(("\n" + settings.joined(separator: "\n") + "\n").utf8))
        try configuration?.close()
        do {
            try cluster.startServer()
        } catch {
            let log = (try? String(contentsOfFile: "\(directory)/server.log", encoding: .utf8)) ?? ""
            throw DaemonError("PostgreSQL did not start: \(error) \(log)")
        }
        active.withLock { $0.append((directory, "\(directory)/data/postmaster.pid")) }
        return cluster
    }

    /// The clusters ``stopAtExit()`` stops: every one started and not stopped yet.
    private static let active = Mutex<[(directory: String, pidFile: String)]>([])

    /// Immediate shutdown (SIGQUIT: nothing here is worth a checkpoint), a bounded wait, then the folder goes.
    private static func stopAtExit() {
        for (directory, pidFile) in active.withLock({ $0 }) {
            let text = (try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? ""
            if let pid = pid_t(text.split(separator: "\n").first ?? "") {
                kill(pid, SIGQUIT)
                var waited = 0
                while kill(pid, 0) == 0 && waited < 100 {
                    usleep(50_000)
                    waited += 1
                }
            }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

}
