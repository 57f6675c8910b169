import Foundation

/// A tenant's blocklist. Every method runs in one tenant-scoped transaction; changes and their audit events commit
/// together.
protocol BlocklistRepository: Sendable {
    func create(tenantID: UUID, _ entry: NewBlockEntry, createdBy: UUID?, audit: (BlockEntry) -> AuditRecord) async throws -> BlockEntry
    /// Entries not deleted (expired ones included), newest first; `after` is the last entry of the previous page.
    func entries(tenantID: UUID, limit: Int, after: UUID?) async throws -> [BlockEntry]
    /// Marks a live entry deleted and appends `audit(entry)`; throws `BlocklistError.notFound`.
    func delete(tenantID: UUID, id: UUID, audit: (BlockEntry) -> AuditRecord) async throws -> BlockEntry
}
