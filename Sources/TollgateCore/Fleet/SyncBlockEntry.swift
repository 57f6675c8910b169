import Foundation

/// A blocklist decision (CrowdSec's model): who (`scope` + `value`) gets what, until when. Tenant entries apply to
/// that tenant's sites; entries without a tenant apply to every site the agent serves.
public struct SyncBlockEntry: Sendable, Hashable, Codable {
    public enum Scope: String, Sendable, Hashable, Codable, CaseIterable {
        /// A single address, e.g. `203.0.113.7` or `2001:db8::1`.
        case ip
        /// A CIDR range, e.g. `203.0.113.0/24`.
        case range
        /// A registered crawler's product token, e.g. `GPTBot` (case-insensitive).
        case crawler
        /// A case-insensitive substring of the User-Agent.
        case userAgent = "ua"
    }

    public enum Action: String, Sendable, Hashable, Codable, CaseIterable {
        case block
        case allow
    }

    public var id: UUID
    /// nil for platform-wide entries.
    public var tenantID: UUID?
    public var scope: Scope
    public var value: String
    public var action: Action
    /// Shown in logs and metrics as the decision's reason.
    public var reason: String
    /// nil: until deleted.
    public var expiresAt: Date?
    /// True when the entry was removed; the edge drops it.
    public var deleted: Bool

    public init(
        id: UUID, tenantID: UUID?, scope: Scope, value: String, action: Action, reason: String, expiresAt: Date?,
        deleted: Bool = false
    ) {
        self.id = id
        self.tenantID = tenantID
        self.scope = scope
        self.value = value
        self.action = action
        self.reason = reason
        self.expiresAt = expiresAt
        self.deleted = deleted
    }

    private enum CodingKeys: String, CodingKey {
        case id, scope, value, action, reason, deleted
        case tenantID = "tenant_id"
        case expiresAt = "expires_at"
    }
}
