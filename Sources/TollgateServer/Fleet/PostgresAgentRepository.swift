import Foundation
import PostgresNIO

public struct PostgresAgentRepository: AgentRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    private static let tokenColumns = "id, label, expires_at, max_uses, use_count, used_at, used_by_agent, revoked_at, created_at"
    private static let agentColumns = "id, tenant_id, name, version, address, last_seen_at, revoked_at, enrolled_with, created_at"

    // MARK: Enrollment tokens

    public func createToken(
        tenantID: UUID, label: String, tokenHash: [UInt8], expiresAt: Date, maxUses: Int, createdBy: UUID?,
        audit: (UUID) -> AuditRecord
    ) async throws -> EnrollmentToken {
        try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query(
                """
                INSERT INTO agent_enrollment_tokens (tenant_id, label, token_hash, expires_at, max_uses, created_by)
                VALUES (\(tenantID), \(label), \(bytea: tokenHash), \(expiresAt), \(maxUses), \(createdBy))
                RETURNING \(unescaped: Self.tokenColumns)
                """, logger: database.logger)
            let created = try await Self.tokens(rows)[0]
            try await AuditLog.append(audit(created.id), tenantID: tenantID, on: connection, logger: database.logger)
            return created
        }
    }

    public func tokens(tenantID: UUID, limit: Int, after: UUID?) async throws -> [EnrollmentToken] {
        try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.tokenColumns) FROM agent_enrollment_tokens
                WHERE tenant_id = \(tenantID)
                  \(pageAfter: after, of: "agent_enrollment_tokens", limit: limit)
                """, logger: database.logger)
            return try await Self.tokens(rows)
        }
    }

    public func token(tenantID: UUID, id: UUID) async throws -> EnrollmentToken? {
        try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query(
                "SELECT \(unescaped: Self.tokenColumns) FROM agent_enrollment_tokens WHERE tenant_id = \(tenantID) AND id = \(id)",
                logger: database.logger)
            return try await Self.tokens(rows).first
        }
    }

    public func revokeToken(tenantID: UUID, id: UUID, audit: AuditRecord) async throws {
        try await database.withTenant(tenantID) { connection in
            let revoked = try await connection.query(
                """
                UPDATE agent_enrollment_tokens SET revoked_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(id) AND revoked_at IS NULL AND use_count < max_uses RETURNING id
                """, logger: database.logger
            ).decode(UUID.self).first { _ in true }
            guard revoked != nil else { throw AgentError.notFound }
            try await AuditLog.append(audit, tenantID: tenantID, on: connection, logger: database.logger)
        }
    }

    public func ticket(tokenHash: [UInt8]) async throws -> EnrollmentTicket? {
        let found: EnrollmentTicket? = try await database.withPlatform { connection in
            let rows = try await connection.query(
                """
                SELECT e.tenant_id, t.status, e.id, e.label, e.expires_at, e.max_uses, e.use_count, e.used_at, e.used_by_agent,
                       e.revoked_at, e.created_at
                FROM agent_enrollment_tokens e JOIN tenants t ON t.id = e.tenant_id
                WHERE e.token_hash = \(bytea: tokenHash)
                """, logger: database.logger)
            for try await (tenantID, status, id, label, expires, maxUses, uses, used, usedBy, revoked, created) in rows.decode(
                (UUID, String, UUID, String, Date, Int, Int, Date?, UUID?, Date?, Date).self)
            {
                return EnrollmentTicket(
                    tenantID: tenantID, tenantActive: status == "active",
                    token: EnrollmentToken(
                        id: id, label: label, expiresAt: expires, maxUses: maxUses, uses: uses, usedAt: used,
                        usedByAgent: usedBy, revokedAt: revoked, createdAt: created))
            }
            return nil
        }
        return found
    }

    public func enroll(
        tenantID: UUID, tokenID: UUID, name: String, version: String, credentialHash: [UInt8], address: String,
        audit: (Agent) -> AuditRecord
    ) async throws -> Agent {
        try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query(
                """
                INSERT INTO agents (tenant_id, name, credential_hash, version, address, last_seen_at, enrolled_with)
                VALUES (\(tenantID), \(name), \(bytea: credentialHash), \(version), \(address), now(), \(tokenID))
                RETURNING \(unescaped: Self.agentColumns)
                """, logger: database.logger)
            let agent = try await Self.agents(rows)[0]
            // The claim: concurrent enrollments with the same token queue on the row lock; each takes one use while
            // any is left.
            let claimed = try await connection.query(
                """
                UPDATE agent_enrollment_tokens SET use_count = use_count + 1, used_at = now(), used_by_agent = \(agent.id)
                WHERE tenant_id = \(tenantID) AND id = \(tokenID)
                  AND use_count < max_uses AND revoked_at IS NULL AND expires_at > now()
                RETURNING id
                """, logger: database.logger
            ).decode(UUID.self).first { _ in true }
            guard claimed != nil else { throw AgentError.tokenUnusable }
            try await AuditLog.append(audit(agent), tenantID: tenantID, on: connection, logger: database.logger)
            return agent
        }
    }

    // MARK: Agents

    public func agents(tenantID: UUID, limit: Int, after: UUID?) async throws -> [Agent] {
        try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.agentColumns) FROM agents
                WHERE tenant_id = \(tenantID)
                  \(pageAfter: after, of: "agents", limit: limit)
                """, logger: database.logger)
            return try await Self.agents(rows)
        }
    }

    public func agent(tenantID: UUID, id: UUID) async throws -> Agent? {
        try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query(
                "SELECT \(unescaped: Self.agentColumns) FROM agents WHERE tenant_id = \(tenantID) AND id = \(id)", logger: database.logger)
            return try await Self.agents(rows).first
        }
    }

    public func revokeAgent(tenantID: UUID, id: UUID, audit: AuditRecord) async throws {
        try await database.withTenant(tenantID) { connection in
            let revoked = try await connection.query(
                "UPDATE agents SET revoked_at = now() WHERE tenant_id = \(tenantID) AND id = \(id) AND revoked_at IS NULL RETURNING id",
                logger: database.logger
            ).decode(UUID.self).first { _ in true }
            guard revoked != nil else { throw AgentError.notFound }
            try await AuditLog.append(audit, tenantID: tenantID, on: connection, logger: database.logger)
        }
    }

    public func candidate(credentialHash: [UInt8]) async throws -> AgentCandidate? {
        let found: AgentCandidate? = try await database.withPlatform { connection in
            let rows = try await connection.query(
                """
                SELECT a.id, a.tenant_id, a.name, a.version, a.address, a.last_seen_at, a.revoked_at, a.enrolled_with, a.created_at, t.status
                FROM agents a JOIN tenants t ON t.id = a.tenant_id
                WHERE a.credential_hash = \(bytea: credentialHash) AND a.revoked_at IS NULL
                """, logger: database.logger)
            for try await (id, tenantID, name, version, address, seen, revoked, enrolledWith, created, status) in rows.decode(
                (UUID, UUID, String, String, String?, Date?, Date?, UUID, Date, String).self)
            {
                return AgentCandidate(
                    agent: Agent(
                        id: id, tenantID: tenantID, name: name, version: version, address: address, lastSeenAt: seen, revokedAt: revoked,
                        enrolledWith: enrolledWith, createdAt: created),
                    tenantActive: status == "active")
            }
            return nil
        }
        return found
    }

    public func markSeen(tenantID: UUID, id: UUID, version: String?, address: String) async throws -> Agent? {
        try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query(
                """
                UPDATE agents SET version = coalesce(\(version), version), address = \(address), last_seen_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(id) AND revoked_at IS NULL
                RETURNING \(unescaped: Self.agentColumns)
                """, logger: database.logger)
            return try await Self.agents(rows).first
        }
    }

    private static func tokens(_ rows: PostgresRowSequence) async throws -> [EnrollmentToken] {
        var result: [EnrollmentToken] = []
        for try await (id, label, expires, maxUses, uses, used, usedBy, revoked, created) in rows.decode(
            (UUID, String, Date, Int, Int, Date?, UUID?, Date?, Date).self)
        {
            result.append(
                EnrollmentToken(
                    id: id, label: label, expiresAt: expires, maxUses: maxUses, uses: uses, usedAt: used, usedByAgent: usedBy,
                    revokedAt: revoked, createdAt: created))
        }
        return result
    }

    private static func agents(_ rows: PostgresRowSequence) async throws -> [Agent] {
        var result: [Agent] = []
        for try await (id, tenantID, name, version, address, seen, revoked, enrolledWith, created) in rows.decode(
            (UUID, UUID, String, String, String?, Date?, Date?, UUID, Date).self)
        {
            result.append(
                Agent(
                    id: id, tenantID: tenantID, name: name, version: version, address: address, lastSeenAt: seen, revokedAt: revoked,
                    enrolledWith: enrolledWith, createdAt: created))
        }
        return result
    }
}
