import Foundation
import PostgresNIO

public struct PostgresAPIKeyRepository: APIKeyRepository {
    let database: Database

    public init(database: Database) { self.database = database }

    private static let columns = "id, name, prefix, scopes, created_at, expires_at, last_used_at, revoked_at"

    public func create(tenantID: UUID, _ key: NewAPIKey, audit: (UUID) -> AuditRecord) async throws -> APIKey {
        try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query(
                """
                INSERT INTO api_keys (tenant_id, name, prefix, secret_hash, scopes, created_by, expires_at)
                VALUES (\(tenantID), \(key.name), \(key.prefix), \(bytea: key.secretHash), \(key.scopes.map(\.rawValue)), \(key.createdBy), \(key.expiresAt))
                RETURNING \(unescaped: Self.columns)
                """, logger: database.logger)
            let created = try await Self.keys(rows)[0]
            try await AuditLog.append(audit(created.id), tenantID: tenantID, on: connection, logger: database.logger)
            return created
        }
    }

    public func keys(tenantID: UUID, limit: Int, after: UUID?) async throws -> [APIKey] {
        try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.columns) FROM api_keys
                WHERE tenant_id = \(tenantID)
                  \(pageAfter: after, of: "api_keys", limit: limit)
                """, logger: database.logger)
            return try await Self.keys(rows)
        }
    }

    public func key(tenantID: UUID, id: UUID) async throws -> APIKey? {
        try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.columns) FROM api_keys WHERE tenant_id = \(tenantID) AND id = \(id)
                """, logger: database.logger)
            return try await Self.keys(rows).first
        }
    }

    public func revoke(tenantID: UUID, id: UUID, audit: AuditRecord) async throws {
        try await database.withTenant(tenantID) { connection in
            let revoked = try await connection.query(
                "UPDATE api_keys SET revoked_at = now() WHERE tenant_id = \(tenantID) AND id = \(id) AND revoked_at IS NULL RETURNING id",
                logger: database.logger
            ).decode(UUID.self).first { _ in true }
            guard revoked != nil else { throw MemberError.notFound }
            try await AuditLog.append(audit, tenantID: tenantID, on: connection, logger: database.logger)
        }
    }

    public func candidate(prefix: String) async throws -> APIKeyCandidate? {
        let row = try await database.withPlatform { connection in
            try await connection.query(
                """
                SELECT k.id, k.name, k.secret_hash, k.scopes, k.expires_at, t.id, t.name, t.status, u.id, u.email, u.name, u.totp_enabled
                FROM api_keys k JOIN tenants t ON t.id = k.tenant_id LEFT JOIN users u ON u.id = k.created_by
                WHERE k.prefix = \(prefix) AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
                """, logger: database.logger
            ).decode((UUID, String, ByteBuffer, [String], Date?, UUID, String, String, UUID?, String?, String?, Bool?).self).first { _ in true }
        }
        guard let (id, name, hash, scopes, expires, tenantID, tenantName, status, userID, email, userName, totp) = row else { return nil }
        let user = userID.map { UserSummary(id: $0, email: email ?? "", name: userName ?? "", totpEnabled: totp ?? false) }
        return APIKeyCandidate(
            secretHash: hash.bytes,
            principal: Principal(
                credential: .apiKey(id: id, prefix: prefix, name: name),
                tenant: TenantSummary(id: tenantID, name: tenantName, status: status),
                user: user, role: nil, permissions: Set(scopes.compactMap(Permission.init(rawValue:))), expiresAt: expires))
    }

    public func markUsed(id: UUID) async throws {
        try await database.withPlatform { connection in
            try await connection.query(
                "UPDATE api_keys SET last_used_at = now() WHERE id = \(id) AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
                logger: database.logger)
        }
    }

    private static func keys(_ rows: PostgresRowSequence) async throws -> [APIKey] {
        var result: [APIKey] = []
        for try await (id, name, prefix, scopes, created, expires, used, revoked) in rows.decode(
            (UUID, String, String, [String], Date, Date?, Date?, Date?).self)
        {
            result.append(APIKey(id: id, name: name, prefix: prefix, scopes: scopes, createdAt: created, expiresAt: expires, lastUsedAt: used, revokedAt: revoked))
        }
        return result
    }
}
