import Foundation
import NIOSSL
import PostgresNIO

/// Parses `postgres://user:password@host:port/database?sslmode=…` (and `?host=/socket/dir` for unix sockets)
/// into a PostgresNIO configuration.
public struct DatabaseURL: Sendable {
    public let configuration: PostgresClient.Configuration
    /// The URL without its password, for logs.
    public let redacted: String

    public init(_ string: String) throws(ConfigurationError) {
        guard let components = URLComponents(string: string),
            let scheme = components.scheme, ["postgres", "postgresql"].contains(scheme)
        else {
            throw ConfigurationError("DATABASE_URL must look like postgres://user:password@host:5432/database")
        }
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        guard let username = components.percentEncodedUser?.removingPercentEncoding, !username.isEmpty else {
            throw ConfigurationError("DATABASE_URL has no user name (postgres://USER:password@host/database)")
        }
        let password = components.percentEncodedPassword?.removingPercentEncoding
        let database = String(components.path.drop(while: { $0 == "/" })).removingPercentEncoding ?? ""
        guard !database.isEmpty else {
            throw ConfigurationError("DATABASE_URL has no database name (postgres://user:password@host/DATABASE)")
        }
        let port = components.port ?? 5432

        let tls: PostgresClient.Configuration.TLS
        switch query["sslmode"] ?? "prefer" {
        case "disable": tls = .disable
        case "allow", "prefer":
            var config = TLSConfiguration.makeClientConfiguration()
            config.certificateVerification = .none
            tls = .prefer(config)
        case "require":
            var config = TLSConfiguration.makeClientConfiguration()
            config.certificateVerification = .none
            tls = .require(config)
        case "verify-ca", "verify-full":
            var config = TLSConfiguration.makeClientConfiguration()
            if let rootCert = query["sslrootcert"] {
                config.trustRoots = .file(rootCert)
            }
            config.certificateVerification = query["sslmode"] == "verify-ca" ? .noHostnameVerification : .fullVerification
            tls = .require(config)
        case let other:
            throw ConfigurationError("DATABASE_URL sslmode '\(other)' is not one of disable, prefer, require, verify-ca, verify-full")
        }

        if let socketDirectory = query["host"], socketDirectory.hasPrefix("/") {
            self.configuration = .init(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: username, password: password, database: database)
        } else {
            guard let host = components.host, !host.isEmpty else {
                throw ConfigurationError("DATABASE_URL has no host (postgres://user:password@HOST:5432/database)")
            }
            self.configuration = .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        var redactedComponents = components
        if redactedComponents.password != nil { redactedComponents.password = "***" }
        self.redacted = redactedComponents.string ?? "postgres://…"
    }
}
