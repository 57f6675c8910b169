import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL pool plus the two ways the server opens a transaction: scoped to one tenant (the normal case,
/// enforced by row-level security) or platform-wide (authentication lookups and operator actions only).
public struct Database: Sendable {
    public let client: PostgresClient
    public let logger: Logger
    let metrics: DatabaseMetrics

    public init(client: PostgresClient, logger: Logger, metrics: DatabaseMetrics) {
        self.client = client
        self.logger = logger
        self.metrics = metrics
    }

    @discardableResult
    public func withTenant<Result>(
        _ tenantID: UUID,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        try await transaction(setting: "tollgate.tenant_id", to: tenantID.uuidString, body)
    }

    @discardableResult
    public func withPlatform<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        try await transaction(setting: "tollgate.platform", to: "on", body)
    }

    /// A read-only REPEATABLE READ transaction scoped to one tenant: every statement sees the same snapshot, so
    /// several queries answer as of one instant (fleet sync versions are that snapshot's xmin).
    @discardableResult
    public func withTenantSnapshot<Result>(
        _ tenantID: UUID,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        try await transaction(setting: "tollgate.tenant_id", to: tenantID.uuidString, snapshot: true, body)
    }

    private func transaction<Result>(
        setting: String, to value: String, snapshot: Bool = false,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        let started = ContinuousClock.now
        metrics.began()
        defer { metrics.ended(after: ContinuousClock.now - started) }
        do {
            return try await client.withTransaction(logger: logger) { connection in
                // Must come before the first query, which takes the transaction's snapshot.
                if snapshot { try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger) }
                _ = try await connection.query("SELECT set_config(\(setting), \(value), true)", logger: logger)
                return try await body(connection)
            }
        } catch let error as PostgresTransactionError {
            metrics.failed()
            // Surface the caller's own error (a domain error or a PSQLError), or what failed the commit (a deferred
            // constraint), rather than the wrapper.
            if let closureError = error.closureError { throw closureError }
            if let commitError = error.commitError { throw commitError }
            throw error
        } catch {
            metrics.failed()
            throw error
        }
    }

    /// Refuses roles that bypass row-level security, which would silently disable tenant isolation.
    public func checkRole() async throws {
        let rows = try await client.query(
            "SELECT current_user::text, rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user", logger: logger)
        for try await (user, bypasses) in rows.decode((String, Bool).self) where bypasses {
            throw ConfigurationError(
                "the database user '\(user)' is a superuser or has BYPASSRLS, which bypasses tenant isolation; "
                    + "connect as an ordinary role that owns the database (CREATE ROLE tollgate LOGIN PASSWORD '…'; "
                    + "CREATE DATABASE tollgate OWNER tollgate)")
        }
    }
}

extension PSQLError {
    var sqlState: String? { serverInfo?[.sqlState] }
    var isUniqueViolation: Bool { sqlState == "23505" }
    var constraint: String? { serverInfo?[.constraintName] }
}
