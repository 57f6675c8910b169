import Foundation
import PostgresNIO
import TollgateCore

/// `blocklist_entries` (migrations 0009 and 0012): a tenant's entries under its row-level security, the platform's
/// (`tenant_id` NULL) in platform transactions.
struct PostgresBlocklistRepository: BlocklistRepository {
    let database: Database

    private static let columns =
        "id, tenant_id, scope, value, action, reason, expires_at, coalesce(created_by, created_by_operator), created_at, deleted_at"

    private func transaction<Result>(
        _ owner: BlocklistOwner, isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        switch owner {
        case .tenant(let id): try await database.withTenant(id, body)
        case .platform: try await database.withPlatform(body)
        }
    }

    func create(_ owner: BlocklistOwner, _ entry: NewBlockEntry, createdBy: UUID?, audit: (BlockEntry) -> AuditRecord) async throws -> BlockEntry {
        let (member, operatorID) = owner.tenantID == nil ? (nil, createdBy) : (createdBy, nil)
        return try await transaction(owner) { connection in
            let rows = try await connection.query(
                """
                INSERT INTO blocklist_entries (tenant_id, scope, value, action, reason, expires_at, created_by, created_by_operator)
                VALUES (\(owner.tenantID), \(entry.scope.rawValue), \(entry.value), \(entry.action.rawValue), \(entry.reason),
                        \(entry.expiresAt), \(member), \(operatorID))
                RETURNING \(unescaped: Self.columns)
                """, logger: database.logger)
            let created = try await Self.entries(rows)[0]
            try await AuditLog.append(audit(created), tenantID: owner.auditChain, on: connection, logger: database.logger)
            return created
        }
    }

    func entries(_ owner: BlocklistOwner, limit: Int, after: UUID?) async throws -> [BlockEntry] {
        try await transaction(owner) { connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.columns) FROM blocklist_entries
                WHERE \(ownedBy: owner) AND deleted_at IS NULL
                  \(pageAfter: after, of: "blocklist_entries", limit: limit)
                """, logger: database.logger)
            return try await Self.entries(rows)
        }
    }

    func delete(_ owner: BlocklistOwner, id: UUID, audit: (BlockEntry) -> AuditRecord) async throws -> BlockEntry {
        try await transaction(owner) { connection in
            let rows = try await connection.query(
                """
                UPDATE blocklist_entries SET deleted_at = now()
                WHERE \(ownedBy: owner) AND id = \(id) AND deleted_at IS NULL
                RETURNING \(unescaped: Self.columns)
                """, logger: database.logger)
            guard let deleted = try await Self.entries(rows).first else { throw BlocklistError.notFound }
            try await AuditLog.append(audit(deleted), tenantID: owner.auditChain, on: connection, logger: database.logger)
            return deleted
        }
    }

    private static func entries(_ rows: PostgresRowSequence) async throws -> [BlockEntry] {
        var result: [BlockEntry] = []
        for try await (id, tenantID, scope, value, action, reason, expiresAt, createdBy, createdAt, deletedAt) in rows.decode(
            (UUID, UUID?, String, String, String, String, Date?, UUID?, Date, Date?).self)
        {
            guard let scope = SyncBlockEntry.Scope(rawValue: scope), let action = SyncBlockEntry.Action(rawValue: action) else {
                throw FleetSyncError.unknownValue("blocklist entry \(id)", "\(scope) \(action)")
            }
            result.append(
                BlockEntry(
                    id: id, tenantID: tenantID, scope: scope, value: value, action: action, reason: reason, expiresAt: expiresAt,
                    createdBy: createdBy, createdAt: createdAt, deletedAt: deletedAt))
        }
        return result
    }
}
