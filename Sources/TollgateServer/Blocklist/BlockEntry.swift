import Foundation
import TollgateCore

/// An entry of a tenant's blocklist (who, `scope` + `value`, is blocked or allowed on the tenant's sites, until when),
/// or of the platform's (`tenantID` nil), which applies to every tenant's sites.
/// Deleted entries stay (with `deletedAt`) so the deletion reaches the edge in a sync delta.
struct BlockEntry: Sendable, Equatable {
    let id: UUID
    let tenantID: UUID?
    let scope: SyncBlockEntry.Scope
    let value: String
    let action: SyncBlockEntry.Action
    let reason: String
    /// nil: until deleted.
    let expiresAt: Date?
    /// The member who added it (for an API key, the person who created the key), when known; for a platform entry,
    /// the operator.
    let createdBy: UUID?
    let createdAt: Date
    let deletedAt: Date?

    /// active, expired or deleted.
    func status(at now: Date) -> String {
        if deletedAt != nil { return "deleted" }
        if let expiresAt, expiresAt <= now { return "expired" }
        return "active"
    }
}
