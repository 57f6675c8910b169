import Foundation
import PostgresNIO
import Testing
import TollgateCore
@testable import TollgateServer

@Suite struct UnitTests {
    /// RFC 6238 appendix B, SHA-1 secret, truncated to 6 digits.
    @Test func totpMatchesRFC6238() {
        let totp = TOTP(secret: Array("12345678901234567890".utf8))
        #expect(totp.code(step: 59 / 30) == "287082")
        #expect(totp.code(step: 1_111_111_109 / 30) == "081804")
        #expect(totp.matchingStep(for: "287082", at: Date(timeIntervalSince1970: 59)) == 1)
        #expect(totp.matchingStep(for: "287083", at: Date(timeIntervalSince1970: 59)) == nil)
    }

    @Test func argon2HashesVerifyAndDetectParameterChanges() async throws {
        let cheap = PasswordHasher(parameters: Argon2Parameters(memoryKiB: 1024, iterations: 1, parallelism: 1))
        let hash = try await cheap.hash("correct horse battery")
        #expect(hash.hasPrefix("$argon2id$v=19$m=1024,t=1,p=1$"))
        #expect(try await cheap.verify("correct horse battery", against: hash))
        #expect(try await !cheap.verify("wrong horse battery", against: hash))
        #expect(!cheap.needsRehash(hash))
        #expect(PasswordHasher(parameters: Argon2Parameters(memoryKiB: 2048, iterations: 1, parallelism: 1)).needsRehash(hash))
    }

    @Test func auditChainDetectsAlteration() {
        let tenant = UUID()
        var events: [AuditEvent] = []
        var prev = AuditChain.genesis
        for seq in Int64(1)...3 {
            let record = AuditRecord(action: "x.\(seq)", actor: .system, clientAddress: "127.0.0.1", targetType: "t", targetID: "\(seq)")
            let hash = AuditChain.hash(prevHash: prev, tenantID: tenant, seq: seq, occurredAtMicros: seq * 1000, record: record)
            events.append(AuditEvent(
                id: UUID(), tenantID: tenant, seq: seq, occurredAtMicros: seq * 1000, actorType: "system", actorID: "",
                actorLabel: "tollgate", clientAddress: "127.0.0.1", action: "x.\(seq)", targetType: "t", targetID: "\(seq)",
                details: [:], prevHash: prev, hash: hash))
            prev = hash
        }
        #expect(AuditChain.verify(events) == .intact(events: 3))
        var altered = events
        altered[1] = AuditEvent(
            id: events[1].id, tenantID: tenant, seq: 2, occurredAtMicros: 2000, actorType: "system", actorID: "", actorLabel: "tollgate",
            clientAddress: "10.0.0.1", action: "x.2", targetType: "t", targetID: "2", details: [:], prevHash: events[1].prevHash, hash: events[1].hash)
        #expect(AuditChain.verify(altered) == .broken(seq: 2, reason: "the event's content does not match its hash (it was altered)"))
        #expect(AuditChain.verify([events[0], events[2]]) == .broken(seq: 2, reason: "event 2 is missing (found 3 next)"))
    }

    @Test func sqlScriptSplitsAroundQuotesAndDollarBodies() {
        let statements = SQLScript.statements("""
            -- comment; not a statement
            CREATE TABLE a (x text DEFAULT ';');
            CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;
            DO $body$ BEGIN PERFORM 1; END $body$;
            """)
        #expect(statements.count == 3)
        #expect(statements[1].hasSuffix("$$ SELECT 1; $$"))
    }

    @Test func databaseURLParsing() throws {
        let url = try DatabaseURL("postgres://app:s%40cret@db.example:6543/tollgate?sslmode=disable")
        #expect(url.configuration.host == "db.example")
        #expect(url.configuration.port == 6543)
        #expect(url.configuration.password == "s@cret")
        #expect(url.redacted.contains("***"))
        #expect(throws: ConfigurationError.self) { try DatabaseURL("mysql://x@y/z") }
        #expect(throws: ConfigurationError.self) { try DatabaseURL("postgres://x@y/z?sslmode=bogus") }
    }

    @Test func metricsRetentionIsDaysOfAtLeastTheIngestWindow() throws {
        var environment = ["TOLLGATE_HOME": TestEnvironment.repositoryRoot, "TOLLGATE_SECRET_KEY": String(repeating: "k", count: 32)]
        #expect(try ServerConfiguration.load(environment: environment).metricsRetention == .seconds(90 * 86_400))
        environment["TOLLGATE_METRICS_RETENTION_DAYS"] = "400"
        #expect(try ServerConfiguration.load(environment: environment).metricsRetention == .seconds(400 * 86_400))
        for bad in ["30", "3651", "ninety"] {
            environment["TOLLGATE_METRICS_RETENTION_DAYS"] = bad
            let error = #expect(throws: ConfigurationError.self, "\(bad)") { try ServerConfiguration.load(environment: environment) }
            #expect(error?.description.contains("TOLLGATE_METRICS_RETENTION_DAYS") == true)
        }
    }
}
