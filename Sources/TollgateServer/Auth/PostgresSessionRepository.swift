import Foundation
import PostgresNIO

public struct PostgresSessionRepository: SessionRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    public func loginCandidate(email: String) async throws -> LoginCandidate? {
        let found = try await database.withPlatform { connection in
            try await connection.query(
                "SELECT id, email, name, totp_enabled, password_hash, totp_secret FROM users WHERE lower(email) = lower(\(email))",
                logger: database.logger
            ).decode((UUID, String, String, Bool, String, ByteBuffer?).self).first { _ in true }
        }
        guard let (id, storedEmail, name, totpEnabled, hash, secret) = found else { return nil }
        return LoginCandidate(
            user: UserSummary(id: id, email: storedEmail, name: name, totpEnabled: totpEnabled),
            passwordHash: hash, totpSecret: totpEnabled ? secret?.bytes : nil, memberships: try await memberships(userID: id))
    }

    public func memberships(userID: UUID) async throws -> [Membership] {
        try await database.withPlatform { connection in
            var result: [Membership] = []
            let rows = try await connection.query(
                """
                SELECT t.id, t.name, t.status, m.role FROM memberships m JOIN tenants t ON t.id = m.tenant_id
                WHERE m.user_id = \(userID) ORDER BY m.created_at
                """, logger: database.logger)
            for try await (id, name, status, role) in rows.decode((UUID, String, String, String).self) {
                result.append(Membership(tenantID: id, tenantName: name, tenantStatus: status, role: Role(rawValue: role) ?? .viewer))
            }
            return result
        }
    }

    public func createSession(_ session: NewSession, audit: AuditRecord) async throws {
        try await database.withTenant(session.tenantID) { connection in
            try await connection.query(
                """
                INSERT INTO sessions (tenant_id, user_id, token_hash, csrf_token, expires_at, client_address, user_agent)
                VALUES (\(session.tenantID), \(session.userID), \(bytea: session.tokenHash), \(session.csrfToken), \(session.expiresAt),
                        \(session.clientAddress), \(String(session.userAgent.prefix(500))))
                """, logger: database.logger)
            try await AuditLog.append(audit, tenantID: session.tenantID, on: connection, logger: database.logger)
        }
    }

    public func principal(sessionTokenHash: [UInt8]) async throws -> Principal? {
        let row = try await database.withPlatform { connection in
            try await connection.query(
                """
                SELECT s.id, s.csrf_token, s.expires_at, t.id, t.name, t.status, u.id, u.email, u.name, u.totp_enabled, m.role
                FROM sessions s
                JOIN tenants t ON t.id = s.tenant_id
                JOIN users u ON u.id = s.user_id
                JOIN memberships m ON m.tenant_id = s.tenant_id AND m.user_id = s.user_id
                WHERE s.token_hash = \(bytea: sessionTokenHash) AND s.revoked_at IS NULL AND s.expires_at > now()
                """, logger: database.logger
            ).decode((UUID, String, Date, UUID, String, String, UUID, String, String, Bool, String).self).first { _ in true }
        }
        guard let (sessionID, csrf, expiresAt, tenantID, tenantName, status, userID, email, name, totp, roleName) = row,
            let role = Role(rawValue: roleName)
        else { return nil }
        return Principal(
            credential: .session(id: sessionID, csrfToken: csrf),
            tenant: TenantSummary(id: tenantID, name: tenantName, status: status),
            user: UserSummary(id: userID, email: email, name: name, totpEnabled: totp),
            role: role, permissions: role.permissions, expiresAt: expiresAt)
    }

    public func revokeSession(id: UUID, tenantID: UUID, audit: AuditRecord) async throws {
        try await database.withTenant(tenantID) { connection in
            try await connection.query(
                "UPDATE sessions SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL", logger: database.logger)
            try await AuditLog.append(audit, tenantID: tenantID, on: connection, logger: database.logger)
        }
    }

    public func updatePasswordHash(userID: UUID, hash: String) async throws {
        try await database.withPlatform { connection in
            try await connection.query(
                "UPDATE users SET password_hash = \(hash), updated_at = now() WHERE id = \(userID)", logger: database.logger)
        }
    }

    public func consumeTOTPStep(userID: UUID, step: Int64) async throws -> Bool {
        try await database.withPlatform { connection in
            try await connection.query(
                "UPDATE users SET totp_last_step = \(step) WHERE id = \(userID) AND totp_last_step < \(step) RETURNING id",
                logger: database.logger
            ).decode(UUID.self).first { _ in true } != nil
        }
    }

    public func recordFailedLogin(tenantIDs: [UUID], audit: AuditRecord) async throws {
        for tenantID in tenantIDs {
            try await database.withTenant(tenantID) { connection in
                try await AuditLog.append(audit, tenantID: tenantID, on: connection, logger: database.logger)
            }
        }
    }

    public func pendingTOTPSecret(userID: UUID) async throws -> [UInt8]? {
        try await database.withPlatform { connection in
            try await connection.query(
                "SELECT totp_secret FROM users WHERE id = \(userID) AND NOT totp_enabled", logger: database.logger
            ).decode(ByteBuffer?.self).first { _ in true }??.bytes
        }
    }

    public func startTOTPEnrolment(userID: UUID, secret: [UInt8]) async throws {
        try await database.withPlatform { connection in
            try await connection.query(
                "UPDATE users SET totp_secret = \(bytea: secret), totp_enabled = false, updated_at = now() WHERE id = \(userID)",
                logger: database.logger)
        }
    }

    public func setTOTPEnabled(_ enabled: Bool, userID: UUID, tenantID: UUID, audit: AuditRecord) async throws {
        try await database.withTenant(tenantID) { connection in
            try await connection.query(
                """
                UPDATE users SET totp_enabled = \(enabled), totp_secret = CASE WHEN \(enabled) THEN totp_secret ELSE NULL END,
                       updated_at = now()
                WHERE id = \(userID)
                """, logger: database.logger)
            try await AuditLog.append(audit, tenantID: tenantID, on: connection, logger: database.logger)
        }
    }
}
