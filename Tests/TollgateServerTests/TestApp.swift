import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Prometheus
import TollgateCore
import Testing
@testable import TollgateServer

/// One fresh database per test on the PostgreSQL that `make test` starts (TOLLGATE_TEST_DATABASE_URL).
enum TestEnvironment {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()

    static func baseURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["TOLLGATE_TEST_DATABASE_URL"] else {
            throw ConfigurationError("TOLLGATE_TEST_DATABASE_URL is not set; run the tests with `make test`")
        }
        return url
    }

    static func configuration(databaseURL: String) -> ServerConfiguration {
        var configuration = ServerConfiguration(
            dataDirectory: FileManager.default.temporaryDirectory.path, secretKey: SecureRandom.bytes(32),
            resources: ResourceDirectories(migrations: repositoryRoot + "/migrations", web: repositoryRoot + "/web"))
        configuration.port = 0
        configuration.databaseURL = databaseURL
        configuration.argon2 = Argon2Parameters(memoryKiB: 1024, iterations: 1, parallelism: 1)
        configuration.databaseMaxConnections = 4
        // Tests drive the payments worker with `runOnce()`; a background pass racing them would make outcomes depend
        // on timing.
        configuration.paymentsInterval = .seconds(3600)
        return configuration
    }

    /// Creates a database, runs `body` against it, drops it.
    static func withDatabase(_ body: (String) async throws -> Void) async throws {
        let base = try baseURL()
        let name = "t_" + SecureRandom.base62String(length: 12).lowercased()
        try await admin(base) { try await $0.query("CREATE DATABASE \(unescaped: name)", logger: logger) }
        let url = base.replacingOccurrences(of: #"/[^/?]*(\?|$)"#, with: "/\(name)$1", options: .regularExpression)
        do {
            try await body(url)
        } catch {
            // PSQLError's description hides the server's message; a failing test should say what PostgreSQL said.
            if let error = error as? PSQLError { Issue.record("PostgreSQL: \(String(reflecting: error))") }
            try? await admin(base) { try await $0.query("DROP DATABASE \(unescaped: name) WITH (FORCE)", logger: logger) }
            throw error
        }
        do {
            try await admin(base) { try await $0.query("DROP DATABASE \(unescaped: name) WITH (FORCE)", logger: logger) }
        } catch let error as PSQLError {
            Issue.record("Dropping the test database failed: \(String(reflecting: error))")
            throw error
        }
    }

    static func admin(_ url: String, _ body: (PostgresConnection) async throws -> Void) async throws {
        let connection = try await PostgresConnection.connect(configuration: .init(try DatabaseURL(url).configuration), id: 1, logger: logger)
        do { try await body(connection) } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }
}

extension PostgresConnection.Configuration {
    init(_ client: PostgresClient.Configuration) {
        if let path = client.unixSocketPath {
            self.init(unixSocketPath: path, username: client.username, password: client.password, database: client.database)
        } else {
            self.init(host: client.host!, port: client.port!, username: client.username, password: client.password, database: client.database, tls: .disable)
        }
    }
}

/// A signed-in tenant owner as the tests see it.
struct Owner {
    let tenantID: String
    let userID: String
    let cookie: String
    let csrf: String

    var sessionHeaders: HTTPFields { [.cookie: cookie, .csrfToken: csrf, .contentType: "application/json"] }
}

extension TestClientProtocol {
    func json(_ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = [:], body: String? = nil) async throws -> (TestResponse, [String: Any]) {
        var headers = headers
        if body != nil && headers[.contentType] == nil { headers[.contentType] = "application/json" }
        let response = try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
        return (response, object)
    }

    func signup(_ email: String, tenant: String = "Acme") async throws -> Owner {
        let (response, body) = try await json(
            .post, "/v1/signup", body: #"{"tenant_name":"\#(tenant)","email":"\#(email)","password":"correct horse battery"}"#)
        #expect(response.status == .created, "\(body)")
        let cookie = response.headers[.setCookie]!.split(separator: ";")[0]
        let tenantID = (body["tenant"] as! [String: Any])["id"] as! String
        let userID = (body["user"] as! [String: Any])["id"] as! String
        return Owner(tenantID: tenantID, userID: userID, cookie: String(cookie), csrf: body["csrf_token"] as! String)
    }

    func apiKey(_ owner: Owner, scopes: [Permission] = Permission.allCases) async throws -> (id: String, secret: String) {
        let scopeList = scopes.map { "\"\($0.rawValue)\"" }.joined(separator: ",")
        let (response, body) = try await json(.post, "/v1/api-keys", headers: owner.sessionHeaders, body: #"{"name":"test","scopes":[\#(scopeList)]}"#)
        #expect(response.status == .created, "\(body)")
        return (body["id"] as! String, body["secret"] as! String)
    }
}

func bearer(_ secret: String) -> HTTPFields { [.authorization: "Bearer \(secret)"] }

/// Runs `body` against a fully built application on a fresh database.
func withApp(_ body: @escaping @Sendable (any TestClientProtocol, String) async throws -> Void) async throws {
    try await TestEnvironment.withDatabase { url in
        let configuration = TestEnvironment.configuration(databaseURL: url)
        let dependencies = try await AppDependencies(
            configuration: configuration, postgres: try DatabaseURL(url).configuration, registry: PrometheusCollectorRegistry(),
            logger: TestEnvironment.logger)
        let app = try await buildApplication(dependencies, logger: TestEnvironment.logger)
        try await app.test(.router) { client in try await body(client, url) }
    }
}
