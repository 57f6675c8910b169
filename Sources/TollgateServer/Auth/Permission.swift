/// What a principal may do. API-key scopes are exactly these names; a member's role grants a fixed set
/// (docs/security.md shows the matrix `Role.permissions` defines).
public enum Permission: String, CaseIterable, Codable, Sendable, Comparable {
    case tenantRead = "tenant:read"
    case membersRead = "members:read"
    case membersWrite = "members:write"
    case apiKeysRead = "api_keys:read"
    case apiKeysWrite = "api_keys:write"
    case auditRead = "audit:read"
    case billingRead = "billing:read"
    case billingWrite = "billing:write"
    case analyticsRead = "analytics:read"
    case sitesRead = "sites:read"
    case sitesWrite = "sites:write"

    public static func < (lhs: Permission, rhs: Permission) -> Bool { lhs.rawValue < rhs.rawValue }

    public var summary: String {
        switch self {
        case .tenantRead: "See the tenant's name and status"
        case .membersRead: "List members and pending invites"
        case .membersWrite: "Invite, re-role and remove members (owners only for the owner role)"
        case .apiKeysRead: "List API keys"
        case .apiKeysWrite: "Create and revoke API keys"
        case .auditRead: "Read and export the audit log"
        case .billingRead: "See balances, invoices and the ledger"
        case .billingWrite: "Change payment and payout settings"
        case .analyticsRead: "See traffic, crawler and revenue analytics"
        case .sitesRead: "See sites and policies"
        case .sitesWrite: "Change sites, policies and prices"
        }
    }
}

public enum Role: String, CaseIterable, Codable, Sendable {
    case owner, admin, billing, analyst, viewer

    public var permissions: Set<Permission> {
        switch self {
        case .owner:
            Set(Permission.allCases)
        case .admin:
            Set(Permission.allCases).subtracting([.billingWrite])
        case .billing:
            [.tenantRead, .membersRead, .billingRead, .billingWrite, .auditRead]
        case .analyst:
            [.tenantRead, .membersRead, .analyticsRead, .sitesRead, .billingRead]
        case .viewer:
            [.tenantRead, .membersRead, .analyticsRead, .sitesRead]
        }
    }
}
