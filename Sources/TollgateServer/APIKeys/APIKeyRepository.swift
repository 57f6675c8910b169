import Foundation

public struct APIKey: Codable, Sendable, Equatable {
    public let id: UUID
    public let name: String
    public let prefix: String
    public let scopes: [String]
    public let createdAt: Date
    public let expiresAt: Date?
    public let lastUsedAt: Date?
    public let revokedAt: Date?
    /// active, revoked or expired.
    public var status: String {
        if revokedAt != nil { return "revoked" }
        if let expiresAt, expiresAt <= Date() { return "expired" }
        return "active"
    }
}

public struct NewAPIKey: Sendable {
    public let name: String
    public let prefix: String
    public let secretHash: [UInt8]
    public let scopes: [Permission]
    public let createdBy: UUID?
    public let expiresAt: Date?
}

/// A stored key found by its prefix, still to be checked against the presented secret.
public struct APIKeyCandidate: Sendable {
    public let secretHash: [UInt8]
    public let principal: Principal
}

public protocol APIKeyRepository: Sendable {
    func create(tenantID: UUID, _ key: NewAPIKey, audit: (UUID) -> AuditRecord) async throws -> APIKey
    /// Newest first; `after` is the last key of the previous page.
    func keys(tenantID: UUID, limit: Int, after: UUID?) async throws -> [APIKey]
    func key(tenantID: UUID, id: UUID) async throws -> APIKey?
    /// Throws `MemberError.notFound` when there is no such unrevoked key.
    func revoke(tenantID: UUID, id: UUID, audit: AuditRecord) async throws
    func candidate(prefix: String) async throws -> APIKeyCandidate?
    func markUsed(id: UUID) async throws
}
