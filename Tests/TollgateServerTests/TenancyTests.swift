import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PostgresNIO
import Prometheus
import Testing
@testable import TollgateServer

@Suite(.serialized) struct TenancyTests {
    /// Row-level security works beneath the application: without the per-transaction setting, no tenant rows.
    @Test func queriesWithoutTenantSettingSeeNoRows() async throws {
        try await withApp { client, url in
            let owner = try await client.signup("rls@example.com")
            _ = try await client.apiKey(owner)
            let (site, _) = try await client.json(
                .post, "/v1/sites", headers: owner.sessionHeaders, body: #"{"name":"Blog","hostnames":["rls.example.com"]}"#)
            #expect(site.status == .created)
            let (token, tokenBody) = try await client.json(.post, "/v1/agents/enrollment-tokens", headers: owner.sessionHeaders, body: #"{"label":"rls"}"#)
            #expect(token.status == .created)
            let (enrolled, _) = try await client.json(
                .post, "/v1/agent/enroll", body: #"{"token":"\#(tokenBody["token"] as! String)","name":"rls","version":"1.0.0"}"#)
            #expect(enrolled.status == .created)
            try await TestEnvironment.admin(url) { connection in
                for table in [
                    "tenants", "users", "memberships", "sessions", "api_keys", "audit_events", "audit_heads", "invites", "sites", "site_hostnames",
                    "agent_enrollment_tokens", "agents",
                ] {
                    let count = try await connection.query("SELECT count(*)::int8 FROM \(unescaped: table)", logger: TestEnvironment.logger)
                        .decode(Int.self).first { _ in true }
                    #expect(count == 0, "\(table) leaked \(count ?? -1) rows without a tenant setting")
                }
                try await connection.query("SELECT set_config('tollgate.tenant_id', \(owner.tenantID), false)", logger: TestEnvironment.logger)
                let scoped = try await connection.query("SELECT count(*)::int8 FROM memberships", logger: TestEnvironment.logger)
                    .decode(Int.self).first { _ in true }
                #expect(scoped == 1)
                // Writing another tenant's id is refused by the policy's WITH CHECK.
                await #expect(throws: PSQLError.self) {
                    try await connection.query(
                        "INSERT INTO audit_heads (tenant_id, last_hash) VALUES (gen_random_uuid(), '\\x00')", logger: TestEnvironment.logger)
                }
            }
        }
    }

    /// Every documented route with a path identifier, called by tenant A with tenant B's identifiers, answers 404.
    @Test func everyRouteHidesOtherTenantsResources() async throws {
        try await withApp { client, _ in
            let alice = try await client.signup("alice@example.com", tenant: "Alice Co")
            let aliceKey = try await client.apiKey(alice)
            let bob = try await client.signup("bob@example.com", tenant: "Bob Co")
            let bobKey = try await client.apiKey(bob)
            let (_, invite) = try await client.json(.post, "/v1/invites", headers: bob.sessionHeaders, body: #"{"email":"x@example.com","role":"viewer"}"#)
            let (_, site) = try await client.json(
                .post, "/v1/sites", headers: bob.sessionHeaders, body: #"{"name":"Bob's blog","hostnames":["blog.bob.example"]}"#)
            let (_, token) = try await client.json(.post, "/v1/agents/enrollment-tokens", headers: bob.sessionHeaders, body: #"{"label":"bob"}"#)
            let (_, spare) = try await client.json(.post, "/v1/agents/enrollment-tokens", headers: bob.sessionHeaders, body: #"{"label":"spare"}"#)
            let (_, agent) = try await client.json(
                .post, "/v1/agent/enroll", body: #"{"token":"\#(token["token"] as! String)","name":"bob-edge","version":"1.0.0"}"#)
            let (_, block) = try await client.json(.post, "/v1/blocklist", headers: bob.sessionHeaders, body: #"{"scope":"ip","value":"192.0.2.1"}"#)
            let ids = [
                "user_id": bob.userID, "id": bobKey.id, "invite": invite["id"] as! String, "site": site["id"] as! String,
                "agent": agent["agent_id"] as! String, "enrollment_token": spare["id"] as! String, "block": block["id"] as! String,
            ]

            var checked = 0
            for operation in OpenAPIDocument.operations where operation.path.contains("{") && operation.auth == .tenant {
                let candidates =
                    if operation.path.contains("invites") { [ids["invite"]!] }
                    else if operation.path.hasPrefix("/v1/sites/") { [ids["site"]!] }
                    else if operation.path.hasPrefix("/v1/agents/enrollment-tokens/") { [ids["enrollment_token"]!] }
                    else if operation.path.hasPrefix("/v1/agents/") { [ids["agent"]!] }
                    else if operation.path.hasPrefix("/v1/blocklist/") { [ids["block"]!] }
                    else { [ids["user_id"]!, ids["id"]!] }
                for id in candidates {
                    let path = operation.path.replacingOccurrences(of: #"\{[a-z_]+\}"#, with: id, options: .regularExpression)
                    let body: String? = switch operation.body {
                    case "RoleChange": #"{"role":"viewer"}"#
                    case "SiteUpdate": #"{"name":"Mine now"}"#
                    case "PricingPolicy": #"{"currency":"USD","default_price":{"micros":1,"currency":"USD"}}"#
                    default: nil
                    }
                    let (response, problem) = try await client.json(
                        HTTPRequest.Method(operation.method.uppercased())!, path, headers: bearer(aliceKey.secret), body: body)
                    #expect(response.status == .notFound, "\(operation.method) \(path) → \(response.status) \(problem)")
                    checked += 1
                }
            }
            #expect(checked >= 6)
            // Bob's things are untouched.
            #expect(try await client.json(.get, "/v1/api-keys/\(bobKey.id)", headers: bearer(bobKey.secret)).0.status == .ok)
            #expect(try await client.json(.get, "/v1/members/\(bob.userID)", headers: bearer(bobKey.secret)).0.status == .ok)
            let (_, bobSite) = try await client.json(.get, "/v1/sites/\(ids["site"]!)", headers: bearer(bobKey.secret))
            #expect(bobSite["name"] as? String == "Bob's blog" && bobSite["version"] as? Int == 1 && bobSite["status"] as? String == "active")
            #expect(try await client.json(.get, "/v1/agents/\(ids["agent"]!)", headers: bearer(bobKey.secret)).1["status"] as? String == "active")
            let (_, bobBlocklist) = try await client.json(.get, "/v1/blocklist", headers: bearer(bobKey.secret))
            #expect((bobBlocklist["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [ids["block"]])
            let (_, bobTokens) = try await client.json(.get, "/v1/agents/enrollment-tokens", headers: bearer(bobKey.secret))
            #expect((bobTokens["items"] as? [[String: Any]])?.first { $0["id"] as? String == ids["enrollment_token"] }?["status"] as? String == "pending")
        }
    }

    /// Every route except the dashboard's HTML pages (which are not an API) is in the OpenAPI document.
    @Test func everyRouteIsDocumented() async throws {
        try await TestEnvironment.withDatabase { url in
            let dependencies = try await AppDependencies(
                configuration: TestEnvironment.configuration(databaseURL: url), postgres: try DatabaseURL(url).configuration,
                registry: PrometheusCollectorRegistry(), logger: TestEnvironment.logger)
            let router = try await buildRouter(dependencies)
            let pagePrefixes = ["/signup", "/login", "/logout", "/invite/", "/app"]
            let routed = Set(
                router.routes
                    .filter { route in
                        let path = route.path.description
                        return path != "/" && !pagePrefixes.contains { path.hasPrefix($0) }
                    }
                    .map { "\($0.method.rawValue.lowercased()) \($0.path.description)" })
            let documented = Set(OpenAPIDocument.operations.map { "\($0.method) \($0.path)" })
            #expect(routed.subtracting(documented).isEmpty, "undocumented: \(routed.subtracting(documented).sorted())")
            #expect(documented.subtracting(routed).isEmpty, "documented but not routed: \(documented.subtracting(routed).sorted())")
            let json = try OpenAPIDocument.json(serverURL: "http://localhost")
            let parsed = try JSONSerialization.jsonObject(with: json) as! [String: Any]
            #expect(parsed["openapi"] as? String == "3.1.0")
        }
    }

    @Test func auditChainVerificationFindsTampering() async throws {
        try await withApp { client, url in
            let owner = try await client.signup("audit@example.com")
            _ = try await client.apiKey(owner)
            let (_, intact) = try await client.json(.get, "/v1/audit-events/verify", headers: [.cookie: owner.cookie])
            #expect(intact["intact"] as? Bool == true)
            let (export, _) = try await client.json(.get, "/v1/audit-events/export", headers: [.cookie: owner.cookie])
            #expect(export.headers[.contentType] == "application/x-ndjson")
            #expect(String(buffer: export.body).split(separator: "\n").count == 3)

            guard let adminURL = ProcessInfo.processInfo.environment["TOLLGATE_TEST_PG_ADMIN_URL"] else {
                Issue.record("TOLLGATE_TEST_PG_ADMIN_URL is not set; run with `make test`")
                return
            }
            let database = String(url.split(separator: "/").last!)
            let admin = adminURL.replacingOccurrences(of: #"/[^/?]*(\?|$)"#, with: "/\(database)$1", options: .regularExpression)
            try await TestEnvironment.admin(admin) { connection in
                // A superuser with triggers disabled rewrites history, as an attacker with database access might.
                try await connection.query("SET session_replication_role = replica", logger: TestEnvironment.logger)
                try await connection.query("UPDATE audit_events SET client_address = '203.0.113.9' WHERE seq = 2", logger: TestEnvironment.logger)
            }
            let (_, broken) = try await client.json(.get, "/v1/audit-events/verify", headers: [.cookie: owner.cookie])
            #expect(broken["intact"] as? Bool == false)
            #expect(broken["broken_at_seq"] as? Int == 2)
            let reports = try await withPostgresClient(url) { try await AuditVerification.run(tenantID: nil, client: $0, logger: TestEnvironment.logger) }
            // The tenant's chain is broken; the platform's own chain (migration 0003) is intact.
            #expect(reports.count == 2)
            let tenantReport = reports.first { $0.tenantID == UUID(uuidString: owner.tenantID) }
            #expect(tenantReport.map { if case .broken(2, _) = $0.verdict { true } else { false } } == true)
            #expect(reports.first { $0.tenantID == AuditLog.platformChain }?.verdict == .intact(events: 0))
        }
    }

    @Test func migrationsAreIdempotentAndRefuseNewerDatabases() async throws {
        try await TestEnvironment.withDatabase { url in
            let migrator = try Migrator(directory: TestEnvironment.repositoryRoot + "/migrations")
            try await withPostgresClient(url) { client in
                #expect(try await migrator.migrate(client: client, logger: TestEnvironment.logger).count == migrator.migrations.count)
                #expect(try await migrator.migrate(client: client, logger: TestEnvironment.logger).isEmpty)
                try await client.query("INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, '9999_future.sql', 'x')")
                await #expect(throws: ConfigurationError.self) { try await migrator.migrate(client: client, logger: TestEnvironment.logger) }
            }
        }
    }
}

func withPostgresClient<T: Sendable>(_ url: String, _ body: (PostgresClient) async throws -> T) async throws -> T {
    let client = PostgresClient(configuration: try DatabaseURL(url).configuration, backgroundLogger: TestEnvironment.logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        return try await body(client)
    }
}
