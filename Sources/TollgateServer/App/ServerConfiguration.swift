import Foundation
import Logging
import TollgateCore

/// Everything `tollgate serve` needs, read from the environment (flags are merged in by the executable first).
/// Every secret `X` may instead come from a file named in `X_FILE`.
public struct ServerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    /// The URL people reach the dashboard at; decides cookie `Secure` and absolute links (invites).
    public var publicURL: String = "http://127.0.0.1:8080"
    public var dataDirectory: String
    /// nil: start the embedded PostgreSQL under `dataDirectory`.
    public var databaseURL: String?
    /// Pepper for hashing session, invite and API-key secrets (HMAC-SHA256).
    public var secretKey: [UInt8]
    public var argon2: Argon2Parameters = .init()
    public var sessionLifetime: Duration = .seconds(7 * 24 * 3600)
    public var inviteLifetime: Duration = .seconds(7 * 24 * 3600)
    public var throttle: LoginThrottlePolicy = .init()
    /// How long a verified API key or session is trusted without asking PostgreSQL again.
    public var authCacheLifetime: Duration = .seconds(5)
    public var databaseMaxConnections: Int = 20
    /// The platform's share of every charge, in basis points (1000 = 10 %).
    public var platformFeeBasisPoints: Int = 1000
    public var resources: ResourceDirectories
    public var embeddedPostgresUser: String = "tollgate"
    public var logLevel: Logger.Level = .info
    /// Hosts whose key directories may be fetched over http or at local addresses (tests and development).
    public var keyDirectoryHTTPAllowlist = KeyDirectoryHostAllowlist()
    /// How often the background refresher looks for key directories due for a refresh.
    public var keyDirectoryRefreshInterval: Duration = .seconds(30)
    /// How long one payment-gateway call may take before its outcome counts as unknown (and is re-sent later).
    public var gatewayTimeout: Duration = .seconds(30)
    /// How often pending top-ups and refunds are re-sent or looked up, and automatic top-ups started.
    public var paymentsInterval: Duration = .seconds(10)
    /// How long per-minute traffic rollups are kept (at least the 30 days an agent's late batch may reach back).
    public var metricsRetention: Duration = .seconds(90 * 86_400)

    public var cookiesAreSecure: Bool { publicURL.lowercased().hasPrefix("https://") }

    public init(dataDirectory: String, secretKey: [UInt8], resources: ResourceDirectories) {
        self.dataDirectory = dataDirectory
        self.secretKey = secretKey
        self.resources = resources
    }

    /// Reads `TOLLGATE_*`, `DATABASE_URL` and their `_FILE` variants.
    public static func load(environment: [String: String]) throws -> ServerConfiguration {
        let env = Environment(values: environment)
        let dataDirectory = env["TOLLGATE_DATA_DIR"] ?? defaultDataDirectory(environment: environment)
        var configuration = ServerConfiguration(
            dataDirectory: dataDirectory,
            secretKey: [],
            resources: try ResourceDirectories.locate(environment: environment)
        )
        if let listen = env["TOLLGATE_LISTEN"] {
            (configuration.host, configuration.port) = try parseListen(listen)
        }
        configuration.publicURL = try env.secret("TOLLGATE_PUBLIC_URL")
            ?? "http://\(configuration.host == "0.0.0.0" ? "127.0.0.1" : configuration.host):\(configuration.port)"
        while configuration.publicURL.hasSuffix("/") { configuration.publicURL.removeLast() }
        guard configuration.publicURL.hasPrefix("http://") || configuration.publicURL.hasPrefix("https://") else {
            throw ConfigurationError("TOLLGATE_PUBLIC_URL must start with http:// or https:// (got \(configuration.publicURL))")
        }
        configuration.databaseURL = try env.secret("DATABASE_URL")
        if let key = try env.secret("TOLLGATE_SECRET_KEY") {
            guard key.utf8.count >= 32 else {
                throw ConfigurationError("TOLLGATE_SECRET_KEY must be at least 32 characters (try: openssl rand -hex 32)")
            }
            configuration.secretKey = Array(key.utf8)
        } else {
            configuration.secretKey = try SecretKeyFile.loadOrCreate(directory: dataDirectory)
        }
        configuration.argon2 = Argon2Parameters(
            memoryKiB: try env.int("TOLLGATE_ARGON2_MEMORY_KIB", default: configuration.argon2.memoryKiB, range: 8...4_194_304),
            iterations: try env.int("TOLLGATE_ARGON2_ITERATIONS", default: configuration.argon2.iterations, range: 1...64),
            parallelism: try env.int("TOLLGATE_ARGON2_PARALLELISM", default: configuration.argon2.parallelism, range: 1...16)
        )
        configuration.sessionLifetime = .seconds(
            try env.int("TOLLGATE_SESSION_HOURS", default: 168, range: 1...8760) * 3600)
        configuration.authCacheLifetime = .seconds(
            try env.int("TOLLGATE_AUTH_CACHE_SECONDS", default: 5, range: 0...300))
        configuration.databaseMaxConnections = try env.int("TOLLGATE_DB_MAX_CONNECTIONS", default: 20, range: 1...500)
        configuration.platformFeeBasisPoints = try env.int("TOLLGATE_PLATFORM_FEE_BPS", default: 1000, range: 0...10_000)
        configuration.gatewayTimeout = .seconds(try env.int("TOLLGATE_GATEWAY_TIMEOUT_SECONDS", default: 30, range: 1...300))
        configuration.paymentsInterval = .seconds(try env.int("TOLLGATE_PAYMENTS_INTERVAL_SECONDS", default: 10, range: 1...3600))
        configuration.metricsRetention = .seconds(try env.int("TOLLGATE_METRICS_RETENTION_DAYS", default: 90, range: 31...3650) * 86_400)
        if let user = env["TOLLGATE_POSTGRES_OS_USER"] { configuration.embeddedPostgresUser = user }
        if let allowlist = env["TOLLGATE_KEY_DIRECTORY_HTTP_ALLOWLIST"] {
            configuration.keyDirectoryHTTPAllowlist = try KeyDirectoryHostAllowlist.parse(allowlist)
        }
        if let level = env["LOG_LEVEL"] {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigurationError("LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical")
            }
            configuration.logLevel = parsed
        }
        return configuration
    }

    static func defaultDataDirectory(environment: [String: String]) -> String {
        if geteuid() == 0 { return "/var/lib/tollgate" }
        let base = environment["XDG_DATA_HOME"] ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/share")
        return base + "/tollgate"
    }

    static func parseListen(_ value: String) throws -> (String, Int) {
        guard let colon = value.lastIndex(of: ":"), let port = Int(value[value.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw ConfigurationError("TOLLGATE_LISTEN must be host:port, e.g. 127.0.0.1:8080 or 0.0.0.0:8080 (got \(value))")
        }
        var host = String(value[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }
}

/// Environment lookups with `_FILE` indirection and range-checked integers.
struct Environment {
    let values: [String: String]

    subscript(name: String) -> String? {
        values[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    func secret(_ name: String) throws -> String? {
        if let value = self[name] { return value }
        guard let path = self[name + "_FILE"] else { return nil }
        do {
            return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw ConfigurationError("\(name)_FILE points at \(path), which cannot be read: \(error.localizedDescription)")
        }
    }

    func int(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = self[name] else { return defaultValue }
        guard let value = Int(raw), range.contains(value) else {
            throw ConfigurationError("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound) (got \(raw))")
        }
        return value
    }
}
