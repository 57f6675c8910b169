import Foundation
import PostgresNIO

/// Whose blocklist: a tenant's, applied to its own sites, or the platform's, applied to every tenant's sites and kept by
/// platform operators.
enum BlocklistOwner: Sendable, Equatable {
    case tenant(UUID)
    case platform

    var tenantID: UUID? {
        if case .tenant(let id) = self { return id }
        return nil
    }

    /// The audit chain its changes go to.
    var auditChain: UUID { tenantID ?? AuditLog.platformChain }
}

extension PostgresQuery.StringInterpolation {
    /// `tenant_id = $1`, or `tenant_id IS NULL` for the platform's entries (both use an index).
    mutating func appendInterpolation(ownedBy owner: BlocklistOwner) {
        switch owner {
        case .tenant(let id):
            appendLiteral("tenant_id = ")
            appendInterpolation(id)
        case .platform:
            appendLiteral("tenant_id IS NULL")
        }
    }
}
