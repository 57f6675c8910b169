import Foundation
import Logging
import PostgresNIO

#if canImport(Glibc)
import Glibc
#endif

/// A private PostgreSQL cluster under `<data dir>/postgres`, run from the system's binaries: initdb on first
/// start, listening only on a unix socket in `<data dir>/run`. PostgreSQL refuses to run as root, so when we are
/// root it runs as a dedicated system user (created if missing).
public struct EmbeddedPostgres: Sendable {
    public let dataDirectory: String
    public let osUser: String
    let logger: Logger

    var clusterDirectory: String { dataDirectory + "/postgres" }
    var socketDirectory: String { dataDirectory + "/run" }
    var logFile: String { socketDirectory + "/postgres.log" }
    static let port = 5432
    static let database = "tollgate"
    static let role = "tollgate"

    public init(dataDirectory: String, osUser: String, logger: Logger) {
        self.dataDirectory = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
        self.osUser = osUser
        self.logger = logger
    }

    var runsAsOtherUser: Bool { geteuid() == 0 }

    /// Starts (initialising on first use) and returns how to connect as the non-superuser application role.
    public func start() async throws -> PostgresClient.Configuration {
        let binaries = try Self.binaryDirectory()
        try FileManager.default.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: clusterDirectory, withIntermediateDirectories: true)
        chmod(clusterDirectory, 0o700)
        guard (socketDirectory + "/.s.PGSQL.\(Self.port)").utf8.count < 100 else {
            throw ConfigurationError("the data directory path \(dataDirectory) is too long for a unix socket; choose a shorter TOLLGATE_DATA_DIR")
        }
        if runsAsOtherUser {
            try ensureSystemUser()
            // Only the two directories we create: initdb, run as that user, owns everything inside them.
            try ChildProcess.run("/bin/chown", ["\(osUser):\(osUser)", socketDirectory, clusterDirectory])
            guard (try? ChildProcess.run("/sbin/runuser", ["-u", osUser, "--", "test", "-w", socketDirectory])) != nil else {
                throw ConfigurationError(
                    "PostgreSQL runs as the system user '\(osUser)', which cannot reach \(dataDirectory); "
                        + "use a TOLLGATE_DATA_DIR whose parent directories are traversable (e.g. /var/lib/tollgate)")
            }
        }
        chmod(socketDirectory, 0o700)

        let firstRun = !FileManager.default.fileExists(atPath: clusterDirectory + "/PG_VERSION")
        if firstRun {
            logger.info("initialising embedded PostgreSQL", metadata: ["directory": "\(clusterDirectory)"])
            try asPostgres(binaries + "/initdb", [
                "-D", clusterDirectory, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8",
                "--auth-local=trust", "--auth-host=reject",
            ])
            let settings = """

                # Added by tollgate: no TCP at all; the unix socket lives in a directory only we can open.
                listen_addresses = ''
                unix_socket_directories = '\(socketDirectory)'
                port = \(Self.port)
                max_connections = 100

                """
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: clusterDirectory + "/postgresql.conf"))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(settings.utf8))
            try handle.close()
        } else if (try? asPostgres(binaries + "/pg_ctl", ["-D", clusterDirectory, "status"])) != nil {
            // Left running by a tollgate that crashed (our lock is free, so it is not in use): restart it cleanly.
            logger.warning("stopping an embedded PostgreSQL left running by an earlier process")
            try asPostgres(binaries + "/pg_ctl", ["-D", clusterDirectory, "-m", "fast", "-w", "stop"])
        }
        try asPostgres(binaries + "/pg_ctl", ["-D", clusterDirectory, "-l", logFile, "-w", "-t", "60", "start"])
        if firstRun { try await bootstrap() }
        return PostgresClient.Configuration(
            unixSocketPath: socketDirectory + "/.s.PGSQL.\(Self.port)", username: Self.role, password: nil, database: Self.database)
    }

    public func stop() {
        do {
            try asPostgres(try Self.binaryDirectory() + "/pg_ctl", ["-D", clusterDirectory, "-m", "fast", "-w", "-t", "60", "stop"])
            logger.info("embedded PostgreSQL stopped")
        } catch {
            logger.error("could not stop embedded PostgreSQL: \(error)")
        }
    }

    /// Creates the application's own role and database; the server never connects as the superuser.
    private func bootstrap() async throws {
        let configuration = PostgresConnection.Configuration(
            unixSocketPath: socketDirectory + "/.s.PGSQL.\(Self.port)", username: "postgres", password: nil, database: "postgres")
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        defer { Task { try? await connection.close() } }
        _ = try await connection.query("CREATE ROLE \(unescaped: Self.role) LOGIN", logger: logger)
        _ = try await connection.query("CREATE DATABASE \(unescaped: Self.database) OWNER \(unescaped: Self.role)", logger: logger)
    }

    private func ensureSystemUser() throws {
        if getpwnam(osUser) != nil { return }
        logger.info("creating system user for PostgreSQL", metadata: ["user": "\(osUser)"])
        try ChildProcess.run("/usr/sbin/useradd", ["--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", osUser])
    }

    @discardableResult
    private func asPostgres(_ executable: String, _ arguments: [String]) throws -> String {
        if runsAsOtherUser {
            return try ChildProcess.run("/sbin/runuser", ["-u", osUser, "--", executable] + arguments)
        }
        return try ChildProcess.run(executable, arguments)
    }

    /// The newest PostgreSQL installed the Debian way, or the first `pg_ctl` on PATH.
    static func binaryDirectory() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        if let newest = versions.last, FileManager.default.isExecutableFile(atPath: "\(root)/\(newest)/bin/pg_ctl") {
            return "\(root)/\(newest)/bin"
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(directory)/pg_ctl") {
            return String(directory)
        }
        throw ConfigurationError("PostgreSQL server binaries (initdb, pg_ctl) were not found; install postgresql-15 or set DATABASE_URL")
    }
}
