import Foundation
import PostgresNIO
import TollgateCore

/// `blocklist_entries` (migration 0009), under the tenant's row-level security.
struct PostgresBlocklistRepository: BlocklistRepository {
    let database: Database

    private static let columns = "id, tenant_id, scope, value, action, reason, expires_at, created_by, created_at, deleted_at"

    func create(tenantID: UUID, _ entry: NewBlockEntry, createdBy: UUID?, audit: (BlockEntry) -> AuditRecord) async throws -> BlockEntry {
        try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query(
                """
                INSERT INTO blocklist_entries (tenant_id, scope, value, action, reason, expires_at, created_by)
                VALUES (\(tenantID), \(entry.scope.rawValue), \(entry.value), \(entry.action.rawValue), \(entry.reason), \(entry.expiresAt),
                        \(createdBy))
                RETURNING \(unescaped: Self.columns)
                """, logger: database.logger)
            let created = try await Self.entries(rows)[0]
            try await AuditLog.append(audit(created), tenantID: tenantID, on: connection, logger: database.logger)
            return created
        }
    }

    func entries(tenantID: UUID, limit: Int, after: UUID?) async throws -> [BlockEntry] {
        try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query(
                """
                SELECT \(unescaped: Self.columns) FROM blocklist_entries
                WHERE tenant_id = \(tenantID) AND deleted_at IS NULL
                  \(pageAfter: after, of: "blocklist_entries", limit: limit)
                """, logger: database.logger)
            return try await Self.entries(rows)
        }
    }

    func delete(tenantID: UUID, id: UUID, audit: (BlockEntry) -> AuditRecord) async throws -> BlockEntry {
        try await database.withTenant(tenantID) { connection in
            let rows = try await connection.query(
                """
                UPDATE blocklist_entries SET deleted_at = now()
                WHERE tenant_id = \(tenantID) AND id = \(id) AND deleted_at IS NULL
                RETURNING \(unescaped: Self.columns)
                """, logger: database.logger)
            guard let deleted = try await Self.entries(rows).first else { throw BlocklistError.notFound }
            try await AuditLog.append(audit(deleted), tenantID: tenantID, on: connection, logger: database.logger)
            return deleted
        }
    }

    private static func entries(_ rows: PostgresRowSequence) async throws -> [BlockEntry] {
        var result: [BlockEntry] = []
        for try await (id, tenantID, scope, value, action, reason, expiresAt, createdBy, createdAt, deletedAt) in rows.decode(
            (UUID, UUID, String, String, String, String, Date?, UUID?, Date, Date?).self)
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
