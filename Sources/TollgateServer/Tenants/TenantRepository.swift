import Foundation

public struct SignupRequest: Sendable {
    public let tenantName: String
    public let email: String
    public let name: String
    public let passwordHash: String
}

public struct TenantRecord: Codable, Sendable, Equatable {
    public let id: UUID
    public let name: String
    public let status: String
    public let createdAt: Date
    public let suspendedAt: Date?
    public let suspensionReason: String?
    public let memberCount: Int
}

public protocol TenantRepository: Sendable {
    /// Creates the tenant, its owner and the start of its audit chain; throws `TenantError.emailTaken`.
    func signup(_ request: SignupRequest, clientAddress: String) async throws -> (tenant: TenantSummary, user: UserSummary)
    /// Oldest first; `after` is the last tenant of the previous page.
    func tenants(after: UUID?, limit: Int) async throws -> [TenantRecord]
    func tenant(id: UUID) async throws -> TenantRecord?
    /// Returns false when no such tenant exists.
    func setStatus(_ status: String, reason: String?, tenantID: UUID, audit: AuditRecord) async throws -> Bool
}

public enum TenantError: Error, Equatable {
    case emailTaken
}
