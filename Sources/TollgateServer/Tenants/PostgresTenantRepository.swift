import Foundation
import PostgresNIO

public struct PostgresTenantRepository: TenantRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func signup(_ request: SignupRequest, clientAddress: String) async throws -> (tenant: TenantSummary, user: UserSummary) {
        do {
            return try await database.withPlatform { connection in
                let tenantID = try await connection.query(
                    "INSERT INTO tenants (name) VALUES (\(request.tenantName)) RETURNING id", logger: database.logger
                ).decode(UUID.self).first { _ in true }!
                let userID = try await connection.query(
                    "INSERT INTO users (email, name, password_hash) VALUES (\(request.email), \(request.name), \(request.passwordHash)) RETURNING id",
                    logger: database.logger
                ).decode(UUID.self).first { _ in true }!
                try await connection.query(
                    "INSERT INTO memberships (tenant_id, user_id, role) VALUES (\(tenantID), \(userID), 'owner')", logger: database.logger)
                try await AuditLog.start(tenantID: tenantID, on: connection, logger: database.logger)
                try await AuditLog.append(
                    AuditRecord(
                        action: "tenant.created", actor: AuditActor(type: "user", id: userID.uuidString, label: request.email),
                        clientAddress: clientAddress, targetType: "tenant", targetID: tenantID.uuidString,
                        details: ["name": request.tenantName]),
                    tenantID: tenantID, on: connection, logger: database.logger)
                return (
                    TenantSummary(id: tenantID, name: request.tenantName, status: "active"),
                    UserSummary(id: userID, email: request.email, name: request.name, totpEnabled: false)
                )
            }
        } catch let error as PSQLError where error.isUniqueViolation {
            throw TenantError.emailTaken
        }
    }

    public func tenants(after: UUID?, limit: Int) async throws -> [TenantRecord] {
        try await records(
            """
            \(unescaped: Self.select)
            WHERE t.id <> \(AuditLog.platformChain)
              AND (\(after)::uuid IS NULL OR (t.created_at, t.id) > (SELECT created_at, id FROM tenants WHERE id = \(after)))
            ORDER BY t.created_at, t.id LIMIT \(limit)
            """)
    }

    public func tenant(id: UUID) async throws -> TenantRecord? {
        try await records("\(unescaped: Self.select) WHERE t.id = \(id) AND t.id <> \(AuditLog.platformChain)").first
    }

    public func setStatus(_ status: String, reason: String?, tenantID: UUID, audit: AuditRecord) async throws -> Bool {
        try await database.withTenant(tenantID) { connection in
            let updated = try await connection.query(
                """
                UPDATE tenants SET status = \(status),
                    suspended_at = CASE WHEN \(status) = 'suspended' THEN now() END,
                    suspension_reason = CASE WHEN \(status) = 'suspended' THEN \(reason) END
                WHERE id = \(tenantID) AND id <> \(AuditLog.platformChain) RETURNING id
                """, logger: database.logger
            ).decode(UUID.self).first { _ in true }
            guard updated != nil else { return false }
            try await AuditLog.append(audit, tenantID: tenantID, on: connection, logger: database.logger)
            return true
        }
    }

    private static let select = """
        SELECT t.id, t.name, t.status, t.created_at, t.suspended_at, t.suspension_reason,
               (SELECT count(*) FROM memberships m WHERE m.tenant_id = t.id)::int8
        FROM tenants t
        """

    /// Runs a query that starts with `select`.
    private func records(_ query: PostgresQuery) async throws -> [TenantRecord] {
        try await database.withPlatform { connection in
            var result: [TenantRecord] = []
            for try await (id, name, status, created, suspended, reason, members) in try await connection.query(query, logger: database.logger)
                .decode((UUID, String, String, Date, Date?, String?, Int).self)
            {
                result.append(
                    TenantRecord(
                        id: id, name: name, status: status, createdAt: created, suspendedAt: suspended, suspensionReason: reason,
                        memberCount: members))
            }
            return result
        }
    }
}
