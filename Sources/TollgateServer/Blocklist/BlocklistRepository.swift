import Foundation

/// A tenant's or the platform's blocklist. Every method runs in one transaction, tenant-scoped for a tenant's entries;
/// changes and their audit events commit together.
protocol BlocklistRepository: Sendable {
    /// `createdBy`: the member (a tenant's entry) or the operator (the platform's) who adds it.
    func create(_ owner: BlocklistOwner, _ entry: NewBlockEntry, createdBy: UUID?, audit: (BlockEntry) -> AuditRecord) async throws -> BlockEntry
    /// Entries not deleted (expired ones included), newest first; `after` is the last entry of the previous page.
    func entries(_ owner: BlocklistOwner, limit: Int, after: UUID?) async throws -> [BlockEntry]
    /// Marks a live entry deleted and appends `audit(entry)`; throws `BlocklistError.notFound`.
    func delete(_ owner: BlocklistOwner, id: UUID, audit: (BlockEntry) -> AuditRecord) async throws -> BlockEntry
}
